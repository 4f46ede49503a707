//! Consent: whether events may leave the page, decided from every signal a storefront uses.
//!
//! States are `in` (send), `pending` (keep events, send nothing) and `out` (drop events, send
//! nothing, write no cookie). The effective state follows this precedence, first match wins:
//!
//! | rank | signal | gives |
//! |---|---|---|
//! | 1 | the shopper's latest explicit choice: `consent.set(...)` (in/out, Adobe 1.0 `general`, Adobe 2.0 `collect.val`) or IAB TCF v2 through `__tcfapi` when GDPR applies | in / out (TCF: pending while the CMP has no answer yet) |
//! | 2 | Global Privacy Control (`navigator.globalPrivacyControl`), unless turned off | out |
//! | 3 | the Commerce cookie `mg_dnt` (exact name) | out |
//! | 4 | the Edge's consent cookie `kndctr_<org>_consent` from an earlier choice (direct mode) | in / out |
//! | 5 | the configured default (`in`, as the reference behaves) | in / out / pending |
//!
//! An explicit choice outranks GPC and `mg_dnt` because it is the shopper answering the
//! merchant's banner on this page; GPC outranks `mg_dnt` only in that it is a browser-wide signal;
//! both mean out.

use super::json::Value;

use super::value;

/// Whether events may be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Send.
    In,
    /// Keep events; send nothing yet.
    Pending,
    /// Drop events; send nothing.
    Out,
}

impl State {
    /// `"in"`, `"pending"`, `"out"`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::In => "in",
            State::Pending => "pending",
            State::Out => "out",
        }
    }

    /// Parses `"in"`, `"out"`, `"pending"` (any case).
    pub fn parse(text: &str) -> Option<State> {
        match text.to_ascii_lowercase().as_str() {
            "in" => Some(State::In),
            "out" => Some(State::Out),
            "pending" => Some(State::Pending),
            _ => None,
        }
    }
}

/// Consent settings (`aepContext.consent` in drop-in mode, `config.consent` in the ESM API).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// State when no signal says otherwise.
    pub default: State,
    /// Whether Global Privacy Control means out.
    pub honor_gpc: bool,
    /// IAB TCF purposes that must all be consented (default 1 "store and/or access information").
    pub tcf_purposes: Vec<u32>,
    /// IAB TCF vendor that must be consented (default 565, Adobe).
    pub tcf_vendor: Option<u32>,
    /// Direct mode: tell the Edge the choice with `/privacy/set-consent`.
    pub send_to_edge: bool,
    /// Hand-off mode: call `setConsent` on the site's alloy (the reference's behaviour; off by default).
    pub apply_to_alloy: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            default: State::In,
            honor_gpc: true,
            tcf_purposes: vec![1],
            tcf_vendor: Some(565),
            send_to_edge: false,
            apply_to_alloy: false,
        }
    }
}

impl Settings {
    /// Reads `{default, gpc, tcf: {purposes, vendor}, edge, alloy}`; unknown or bad fields keep
    /// their defaults and are listed in the second value as field paths.
    pub fn from_json(config: Option<&Value>) -> (Settings, Vec<&'static str>) {
        let mut settings = Settings::default();
        let mut bad = Vec::new();
        let Some(config) = config else { return (settings, bad) };
        if let Some(v) = value::at(config, "default") {
            match v.as_str().and_then(State::parse) {
                Some(state) => settings.default = state,
                None => bad.push("consent.default"),
            }
        }
        let mut flag = |path: &'static str, key: &str, slot: &mut bool| {
            if let Some(v) = value::at(config, key) {
                match v.as_bool() {
                    Some(b) => *slot = b,
                    None => bad.push(path),
                }
            }
        };
        flag("consent.gpc", "gpc", &mut settings.honor_gpc);
        flag("consent.edge", "edge", &mut settings.send_to_edge);
        flag("consent.alloy", "alloy", &mut settings.apply_to_alloy);
        if let Some(purposes) = value::at(config, "tcf.purposes") {
            match purposes.as_array().and_then(|p| id_list(p)) {
                Some(list) => settings.tcf_purposes = list,
                None => bad.push("consent.tcf.purposes"),
            }
        }
        if let Some(vendor) = value::at(config, "tcf.vendor") {
            match as_u32(vendor) {
                Some(v) => settings.tcf_vendor = Some(v),
                None => bad.push("consent.tcf.vendor"),
            }
        }
        (settings, bad)
    }
}

/// A TCF purpose or vendor id: a whole JSON number that fits in `u32`.
pub fn as_u32(value: &Value) -> Option<u32> {
    value.as_u64().and_then(|n| u32::try_from(n).ok())
}

/// Every element of `list` as a TCF id; `None` when one is not.
fn id_list(list: &[Value]) -> Option<Vec<u32>> {
    let mut ids = Vec::with_capacity(list.len());
    for value in list {
        ids.push(as_u32(value)?);
    }
    Some(ids)
}

/// A consent signal from the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    /// `consent.set("in" | "out" | "pending")` or an Adobe standard object, already decoded.
    Explicit(State),
    /// IAB TCF data from `__tcfapi` (`gdprApplies`, consented purposes and vendors).
    Tcf {
        /// Whether GDPR applies; when false, TCF gives no decision.
        gdpr_applies: bool,
        /// Whether the CMP has an answer (`tcloaded` / `useractioncomplete`).
        ready: bool,
        /// Consented purpose ids.
        purposes: Vec<u32>,
        /// Consented vendor ids (only the configured vendor matters).
        vendors: Vec<u32>,
    },
    /// `navigator.globalPrivacyControl`.
    Gpc(bool),
    /// Whether a cookie named exactly `mg_dnt` exists.
    MgDnt(bool),
    /// The value of the Edge's `kndctr_<org>_consent` cookie (`general=in`), if any.
    EdgeCookie(Option<String>),
}

/// Decodes an Adobe consent object (`{standard: "Adobe", version: "1.0"|"2.0", value}`) or a plain
/// `"in"`/`"out"`/`"pending"`; `None` when it is neither.
pub fn decode_choice(choice: &Value) -> Option<State> {
    if let Some(text) = choice.as_str() {
        return State::parse(text);
    }
    let items: &[Value] = match choice {
        Value::Array(items) => items,
        Value::Object(_) => match value::at(choice, "consent") {
            Some(Value::Array(items)) => items,
            _ => core::slice::from_ref(choice),
        },
        _ => return None,
    };
    items.iter().find_map(|item| {
        if value::str_at(item, "standard")? != "Adobe" {
            return None;
        }
        match value::str_at(item, "version")? {
            "1.0" => State::parse(value::str_at(item, "value.general")?),
            "2.0" => match value::str_at(item, "value.collect.val")? {
                "y" => Some(State::In),
                "n" => Some(State::Out),
                _ => Some(State::Pending),
            },
            _ => None,
        }
    })
}

/// All signals seen so far and the settings; [`Consent::state`] applies the precedence.
#[derive(Debug, Clone, Default)]
pub struct Consent {
    settings: Settings,
    explicit: Option<State>,
    gpc: bool,
    mg_dnt: bool,
    edge_cookie: Option<State>,
}

impl Consent {
    /// Replaces the settings.
    pub fn configure(&mut self, settings: Settings) {
        self.settings = settings;
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Records a signal.
    pub fn signal(&mut self, signal: Signal) {
        match signal {
            Signal::Explicit(state) => self.explicit = Some(state),
            Signal::Tcf { gdpr_applies, ready, purposes, vendors } => {
                if !gdpr_applies {
                    return;
                }
                self.explicit = Some(if !ready {
                    State::Pending
                } else if self.settings.tcf_purposes.iter().all(|p| purposes.contains(p))
                    && self.settings.tcf_vendor.is_none_or(|v| vendors.contains(&v))
                {
                    State::In
                } else {
                    State::Out
                });
            }
            Signal::Gpc(on) => self.gpc = on,
            Signal::MgDnt(present) => self.mg_dnt = present,
            Signal::EdgeCookie(cookie) => {
                self.edge_cookie = cookie.as_deref().and_then(|c| {
                    value::pieces(c, b';')
                        .find_map(|pair| pair.trim_ascii().strip_prefix("general="))
                        .and_then(State::parse)
                })
            }
        }
    }

    /// The effective state, by the precedence in the module docs.
    pub fn state(&self) -> State {
        if let Some(state) = self.explicit {
            state
        } else if (self.gpc && self.settings.honor_gpc) || self.mg_dnt {
            State::Out
        } else if let Some(state) = self.edge_cookie {
            state
        } else {
            self.settings.default
        }
    }

    /// Which signal decided [`Consent::state`], for diagnostics.
    pub fn source(&self) -> &'static str {
        if self.explicit.is_some() {
            "explicit choice"
        } else if self.gpc && self.settings.honor_gpc {
            "Global Privacy Control"
        } else if self.mg_dnt {
            "mg_dnt cookie"
        } else if self.edge_cookie.is_some() {
            "Edge consent cookie"
        } else {
            "default"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::json::json;

    #[test]
    fn precedence_explicit_then_gpc_then_mg_dnt_then_edge_cookie_then_default() {
        let mut c = Consent::default();
        assert_eq!(c.state(), State::In);
        c.signal(Signal::EdgeCookie(Some("general=out".into())));
        assert_eq!(c.state(), State::Out);
        c.signal(Signal::EdgeCookie(None));
        c.signal(Signal::MgDnt(true));
        assert_eq!((c.state(), c.source()), (State::Out, "mg_dnt cookie"));
        c.signal(Signal::MgDnt(false));
        c.signal(Signal::Gpc(true));
        assert_eq!((c.state(), c.source()), (State::Out, "Global Privacy Control"));
        c.signal(Signal::Explicit(State::In));
        assert_eq!(c.state(), State::In);
        let mut ignore_gpc = Consent::default();
        ignore_gpc.configure(Settings { honor_gpc: false, ..Settings::default() });
        ignore_gpc.signal(Signal::Gpc(true));
        assert_eq!(ignore_gpc.state(), State::In);
    }

    #[test]
    fn tcf_needs_the_configured_purposes_and_vendor() {
        let tcf =
            |purposes: Vec<u32>, vendors: Vec<u32>| Signal::Tcf { gdpr_applies: true, ready: true, purposes, vendors };
        let mut c = Consent::default();
        c.signal(Signal::Tcf { gdpr_applies: true, ready: false, purposes: vec![], vendors: vec![] });
        assert_eq!(c.state(), State::Pending);
        c.signal(tcf(vec![1, 2], vec![565]));
        assert_eq!(c.state(), State::In);
        c.signal(tcf(vec![2], vec![565]));
        assert_eq!(c.state(), State::Out);
        c.signal(tcf(vec![1], vec![1]));
        assert_eq!(c.state(), State::Out);
        let mut no_gdpr = Consent::default();
        no_gdpr.signal(Signal::Tcf { gdpr_applies: false, ready: true, purposes: vec![], vendors: vec![] });
        assert_eq!(no_gdpr.state(), State::In, "TCF gives no decision where GDPR does not apply");
    }

    #[test]
    fn decodes_adobe_standards() {
        assert_eq!(decode_choice(&json!("out")), Some(State::Out));
        assert_eq!(
            decode_choice(&json!({"standard": "Adobe", "version": "1.0", "value": {"general": "in"}})),
            Some(State::In)
        );
        assert_eq!(
            decode_choice(
                &json!({"consent": [{"standard": "Adobe", "version": "2.0", "value": {"collect": {"val": "n"}}}]})
            ),
            Some(State::Out)
        );
        assert_eq!(decode_choice(&json!({"standard": "IAB TCF", "version": "2.0", "value": "CO..."})), None);
        assert_eq!(decode_choice(&json!(7)), None);
    }

    #[test]
    fn settings_name_bad_fields() {
        let (s, bad) = Settings::from_json(Some(
            &json!({"default": "pending", "gpc": "yes", "tcf": {"purposes": [1, 10], "vendor": -1}}),
        ));
        assert_eq!(s.default, State::Pending);
        assert_eq!(s.tcf_purposes, [1, 10]);
        assert_eq!(bad, ["consent.gpc", "consent.tcf.vendor"]);
    }
}

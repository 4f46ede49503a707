//! Diagnostics: the typed report of everything that did not go as the page asked.
//!
//! A publish call never throws into the page. When an event is dropped, degraded or held, the engine
//! emits a [`Diagnostic`] that names the publish method, the reason and the field path, and the web
//! shell hands it to page subscribers and (in debug mode) the console.

use super::json;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The event was not sent and will not be.
    Error,
    /// The event was sent, but a field was left out or repaired.
    Warning,
    /// Something worth knowing: the event is held, forwarded, or intentionally not sent.
    Info,
}

/// Why a diagnostic was raised; JavaScript sees the kebab-case [`Code::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Code {
    /// A context the event needs was never set (or was cleared).
    MissingContext,
    /// A field the event needs is absent.
    MissingField,
    /// A field has the wrong type or an unusable value (NaN, negative quantity, …).
    InvalidField,
    /// A publish argument is of the wrong type.
    InvalidArgument,
    /// The publish method name is unknown.
    UnknownMethod,
    /// A context or argument could not be read at all (not JSON-serializable, too large).
    UnreadableInput,
    /// The event is kept until AEP forwarding is configured (`setAEP` + `setEventForwarding`).
    AwaitingConfiguration,
    /// AEP forwarding is off (`eventForwarding.aep` is not `true`); the event is not sent to AEP.
    ForwardingDisabled,
    /// The method exists for compatibility but the reference sends nothing to AEP for it.
    NotForwarded,
    /// The AEP configuration is invalid; the message names the field.
    InvalidConfiguration,
    /// A bounded queue was full and an event was dropped.
    QueueFull,
    /// The event was handed to the site's alloy instance.
    HandedOff,
    /// The site's alloy instance is missing, threw, or rejected the event.
    DeliveryFailed,
    /// The shopper's ECID could not be read; the event goes without ECID/personID.
    IdentityUnavailable,
    /// An event with the same `_id` is already waiting; the second one was not queued.
    Duplicate,
    /// The Edge accepted the event.
    Delivered,
    /// A send failed in a way worth retrying; another attempt is scheduled.
    Retrying,
    /// The Edge accepted the request but reported non-fatal errors (HTTP 207).
    EdgeWarning,
    /// Events saved by an earlier page were taken over.
    Restored,
    /// An event waited too long (7 days) and was dropped.
    Expired,
    /// Saving the outbox to `localStorage` failed; events are kept in memory only.
    StorageUnavailable,
    /// The consent state changed (the message says to what, and which signal decided).
    ConsentChanged,
    /// Events are kept until the shopper consents.
    ConsentPending,
    /// The shopper has not consented: the event was dropped and nothing was sent.
    ConsentOut,
}

impl Level {
    /// `"error"`, `"warning"` or `"info"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
        }
    }
}

impl Code {
    /// The kebab-case code JavaScript sees (`missing-context`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::MissingContext => "missing-context",
            Code::MissingField => "missing-field",
            Code::InvalidField => "invalid-field",
            Code::InvalidArgument => "invalid-argument",
            Code::UnknownMethod => "unknown-method",
            Code::UnreadableInput => "unreadable-input",
            Code::AwaitingConfiguration => "awaiting-configuration",
            Code::ForwardingDisabled => "forwarding-disabled",
            Code::NotForwarded => "not-forwarded",
            Code::InvalidConfiguration => "invalid-configuration",
            Code::QueueFull => "queue-full",
            Code::HandedOff => "handed-off",
            Code::DeliveryFailed => "delivery-failed",
            Code::IdentityUnavailable => "identity-unavailable",
            Code::Duplicate => "duplicate",
            Code::Delivered => "delivered",
            Code::Retrying => "retrying",
            Code::EdgeWarning => "edge-warning",
            Code::Restored => "restored",
            Code::Expired => "expired",
            Code::StorageUnavailable => "storage-unavailable",
            Code::ConsentChanged => "consent-changed",
            Code::ConsentPending => "consent-pending",
            Code::ConsentOut => "consent-out",
        }
    }
}

/// One report about one event (or about the collector when `event` is empty).
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Severity.
    pub level: Level,
    /// Machine-readable reason.
    pub code: Code,
    /// The publish method (`addToCart`) or `""` for collector-level reports.
    pub event: String,
    /// The event's `_id`, when one was assigned.
    pub event_id: Option<String>,
    /// The field path the report is about (`shoppingCartContext.items[0].product.sku`), or `""`.
    pub path: String,
    /// A lowercase, human-readable explanation.
    pub message: String,
}

/// `text` with every word that looks like an email address (`local@domain.tld`; words end at
/// white space, quotes, brackets, `,`, `;` and `:`) replaced by `[email]`. Diagnostics carry page
/// keys and the Edge's error texts, which may hold a shopper's email; none may reach logs or
/// subscribers.
pub fn redact_emails(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    // Bytes, not chars: the separators are ASCII, which never occurs inside a multi-byte character.
    // The end of the text counts as a separator.
    for i in 0..=text.len() {
        let b = text.as_bytes().get(i).copied().unwrap_or(b' ');
        if !matches!(
            b,
            b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\'' | b'(' | b')' | b'<' | b'>' | b'[' | b']' | b',' | b';' | b':'
        ) {
            continue;
        }
        let word = text.get(start..i).unwrap_or_default();
        let email = super::value::split_at_byte(word, b'@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.bytes().skip(1).any(|b| b == b'.'));
        out.push_str(if email { "[email]" } else { word });
        if i < text.len() {
            out.push(char::from(b));
        }
        start = i + 1;
    }
    out
}

impl Diagnostic {
    /// Builds a diagnostic about `event` at `path`.
    pub fn new(level: Level, code: Code, event: &str, path: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            level,
            code,
            event: event.to_owned(),
            event_id: None,
            path: path.to_owned(),
            message: message.into(),
        }
    }

    /// `{level, code, event, eventId?, path, message}` as JSON text.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"level\":\"");
        out.push_str(self.level.as_str());
        out.push_str("\",\"code\":\"");
        out.push_str(self.code.as_str());
        out.push_str("\",\"event\":");
        json::write_string(&redact_emails(&self.event), &mut out);
        if let Some(id) = &self.event_id {
            out.push_str(",\"eventId\":");
            json::write_string(&redact_emails(id), &mut out);
        }
        out.push_str(",\"path\":");
        json::write_string(&redact_emails(&self.path), &mut out);
        out.push_str(",\"message\":");
        json::write_string(&redact_emails(&self.message), &mut out);
        out.push('}');
        out
    }

    /// The same diagnostic, tagged with the event id.
    pub fn with_event_id(mut self, id: &str) -> Self {
        self.event_id = Some(id.to_owned());
        self
    }
}

#[cfg(test)]
mod redaction_tests {
    use super::redact_emails;

    #[test]
    fn emails_are_redacted_and_the_rest_kept() {
        assert_eq!(redact_emails("bad \"Roni.Cost+x@example.co.uk\" here"), "bad \"[email]\" here");
        assert_eq!(redact_emails("storeCode.a@b.c"), "[email]");
        assert_eq!(
            redact_emails("imsOrgId must end in @AdobeOrg, e.g. 1234@AdobeOrg"),
            "imsOrgId must end in @AdobeOrg, e.g. 1234@AdobeOrg"
        );
        assert_eq!(redact_emails("items[0].sku (x@y.z)"), "items[0].sku ([email])");
        assert_eq!(redact_emails("é@é.fr ok"), "[email] ok");
        assert_eq!(redact_emails(""), "");
    }
}

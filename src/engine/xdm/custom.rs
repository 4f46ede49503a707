//! `custom` (spec §2.12): the payload is exactly the custom context (the publish argument, else
//! `setCustom`'s); no eventType and no commerceScope are added.
//!
//! Fixed against the reference: without a payload the event is dropped with a diagnostic (the
//! reference threw inside `sendEvent` and logged a generic error).

use super::{Outcome, Snapshot};
use crate::engine::diagnostic::{Code, Level};

/// The custom payload as given, or a drop naming `customContext`.
pub fn custom(s: &Snapshot<'_>) -> Outcome {
    match s.custom {
        Some(custom) if !custom.is_empty() => Outcome::Built { xdm: custom.clone(), warnings: Vec::new() },
        _ => Outcome::Dropped(s.diagnostic(
            Level::Error,
            Code::MissingContext,
            "customContext",
            "publish.custom needs an XDM payload (argument or setCustom); nothing was sent",
        )),
    }
}

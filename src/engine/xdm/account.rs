//! Account events: sign in / out, create and edit account (spec §2.9).
//!
//! `userAccount` is rebuilt as in the reference (`{login: 1}` and so on); the shopper's email goes
//! to `personalEmail.address`, which `engine::identity` turns into the `email` identity that joins
//! behaviour to profiles.

use super::commerce::personal_email;
use super::{Draft, Outcome, Snapshot};
use crate::engine::json::Value;
use crate::engine::value::at;
use crate::obj;

/// `measure` is `userAccount.login` etc.; `with_person` adds `person.accountID` and the email.
pub fn account(s: &Snapshot<'_>, measure: &str, with_person: bool) -> Outcome {
    // The event type is the measure's path (`userAccount.login`).
    let mut draft = Draft::new(s, measure, None);
    draft.scope();
    let key = measure.get("userAccount.".len()..).unwrap_or(measure);
    draft.set("userAccount", obj! {key => 1i64});
    if with_person {
        let account = draft.context("accountContext", "person and personalEmail are empty");
        let mut person = draft.custom("person").and_then(|p| p.as_object().cloned()).unwrap_or_default();
        if person.get("accountID").is_none() {
            if let Some(id) = account.and_then(|a| at(a, "accountId")) {
                person.insert("accountID", id.clone());
            }
        }
        draft.set("person", Value::Object(person));
        personal_email(&mut draft);
    }
    draft.done()
}

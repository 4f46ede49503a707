//! Account events (spec §2.9): signIn → `userAccount.login`, signOut → `userAccount.logout`,
//! createAccount → `userAccount.createProfile`, editAccount → `userAccount.updateProfile`.
//!
//! `userAccount` is rebuilt as in the reference (`{login: 1}` and so on); the shopper's email goes
//! to `personalEmail.address`, which `engine::identity` turns into the `email` identity that joins
//! behaviour to profiles. Without an account context the reference's shape is kept (`person: {}`,
//! `personalEmail: {}`), with a warning.

use super::{counter, Draft, Outcome, Snapshot};
use crate::engine::json::Value;

/// `measure` is the event type (`userAccount.login`); `with_person` adds `person.accountID` and
/// `personalEmail.address` (all but signOut).
pub fn account(s: &Snapshot<'_>, measure: &str, with_person: bool) -> Outcome {
    let mut draft = Draft::new(s, measure, None);
    draft.scope();
    let key = measure.get("userAccount.".len()..).unwrap_or(measure);
    draft.set("userAccount", Value::Object(counter(key)));
    if with_person {
        draft.context("accountContext");
        draft.fill_object("person", "accountContext", &[("accountID", "accountId")], false);
        draft.personal_email();
    }
    draft.done()
}

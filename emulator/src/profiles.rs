//! `import-profiles`: loads Individual Profile records from JSON lines or CSV into the `profiles`
//! table.
//!
//! A JSON line is an XDM Individual Profile object: `identityMap` (must hold the shopper's email
//! under an `Email`/`email` namespace), `person.name.{firstName,lastName}`, `personalEmail.address`,
//! `mobilePhone.number` / `homePhone.number`, `homeAddress.{street1,city,postalCode,country}`,
//! `userAccount.{ID,accountType}`. A CSV file has a header row naming any of `email`, `ecid`,
//! `firstName`, `lastName`, `phone`, `street`, `city`, `postalCode`, `country`, `accountId`,
//! `accountType`; each row becomes such a record. A record without an email is rejected with its
//! line number and the reason; the others are imported (replacing earlier records with the same email).

use serde_json::{json, Map, Value};

use crate::store::ProfileRow;
use crate::xdm;

/// A record that was not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// 1-based line number where the record starts.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// The outcome of parsing a profiles file.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Records ready to store.
    pub profiles: Vec<ProfileRow>,
    /// Records refused.
    pub rejected: Vec<Rejection>,
}

fn text_at(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    match cur {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn plausible_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Turns one Individual Profile record into a row, or says why not.
pub fn profile_from_record(record: &Value) -> Result<ProfileRow, String> {
    let obj = record.as_object().ok_or("the record is not a JSON object")?;
    let map = obj.get("identityMap").ok_or("identityMap is missing (it must hold the shopper's email)")?;
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    xdm::check_identity_map(map, "identityMap", &mut errors, &mut warnings);
    if !errors.is_empty() {
        return Err(errors.join("; "));
    }
    let email = xdm::identity_map_id(Some(map), "email")
        .ok_or("identityMap has no Email identity (the shopper's email is required)")?;
    if !plausible_email(&email) {
        return Err(format!("'{}' is not an email address", crate::util::truncate(&email, 100)));
    }
    let address = ["street1", "city", "postalCode", "country"]
        .iter()
        .filter_map(|k| text_at(record, &["homeAddress", k]))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(ProfileRow {
        email: email.to_ascii_lowercase(),
        ecid: xdm::identity_map_id(Some(map), "ECID"),
        first_name: text_at(record, &["person", "name", "firstName"]),
        last_name: text_at(record, &["person", "name", "lastName"]),
        phone: text_at(record, &["mobilePhone", "number"]).or_else(|| text_at(record, &["homePhone", "number"])),
        address: Some(address).filter(|a| !a.is_empty()),
        account_id: text_at(record, &["userAccount", "ID"]),
        account_type: text_at(record, &["userAccount", "accountType"]),
        identity_map: map.to_string(),
        record: Value::Object(obj.clone()).to_string(),
    })
}

/// Parses JSON lines (blank lines and lines starting with `#` are skipped).
pub fn parse_json_lines(text: &str) -> Parsed {
    let mut out = Parsed::default();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let result = serde_json::from_str::<Value>(t)
            .map_err(|e| format!("not valid JSON: {e}"))
            .and_then(|v| profile_from_record(&v));
        match result {
            Ok(p) => out.profiles.push(p),
            Err(reason) => out.rejected.push(Rejection { line: i + 1, reason }),
        }
    }
    out
}

/// Splits CSV text (RFC 4180: quoted fields, `""` escapes, newlines inside quotes) into records,
/// each with the line it starts on.
pub fn csv_records(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let (mut line, mut start_line) = (1usize, 1usize);
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                in_quotes = true;
                any = true;
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                any = true;
            }
            '\r' => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                if any || fields.iter().any(|f| !f.is_empty()) {
                    records.push((start_line, std::mem::take(&mut fields)));
                } else {
                    fields.clear();
                }
                any = false;
                line += 1;
                start_line = line;
            }
            _ => {
                field.push(c);
                any = true;
            }
        }
    }
    if any || !field.is_empty() {
        fields.push(field);
        records.push((start_line, fields));
    }
    records
}

/// Parses CSV with a header row into Individual Profile records.
pub fn parse_csv(text: &str) -> Parsed {
    let mut out = Parsed::default();
    let mut records = csv_records(text.trim_start_matches('\u{feff}')).into_iter();
    let Some((_, header)) = records.next() else {
        return out;
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
    let col = |row: &[String], name: &str| -> Option<String> {
        let i = header.iter().position(|h| h == &name.to_ascii_lowercase())?;
        row.get(i).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    };
    for (line, row) in records {
        let Some(email) = col(&row, "email") else {
            out.rejected
                .push(Rejection { line, reason: "the email column is empty (the shopper's email is required)".into() });
            continue;
        };
        let mut identity = Map::new();
        identity.insert("Email".into(), json!([{"id": email, "primary": true, "authenticatedState": "authenticated"}]));
        if let Some(ecid) = col(&row, "ecid") {
            identity.insert("ECID".into(), json!([{"id": ecid, "primary": false}]));
        }
        let mut rec = Map::new();
        rec.insert("identityMap".into(), Value::Object(identity));
        rec.insert("personalEmail".into(), json!({"address": email}));
        let mut name = Map::new();
        for (k, c) in [("firstName", "firstName"), ("lastName", "lastName")] {
            if let Some(v) = col(&row, c) {
                name.insert(k.into(), json!(v));
            }
        }
        if !name.is_empty() {
            rec.insert("person".into(), json!({"name": name}));
        }
        if let Some(p) = col(&row, "phone") {
            rec.insert("mobilePhone".into(), json!({"number": p}));
        }
        let mut addr = Map::new();
        for (k, c) in [("street1", "street"), ("city", "city"), ("postalCode", "postalCode"), ("country", "country")] {
            if let Some(v) = col(&row, c) {
                addr.insert(k.into(), json!(v));
            }
        }
        if !addr.is_empty() {
            rec.insert("homeAddress".into(), Value::Object(addr));
        }
        let mut account = Map::new();
        for (k, c) in [("ID", "accountId"), ("accountType", "accountType")] {
            if let Some(v) = col(&row, c) {
                account.insert(k.into(), json!(v));
            }
        }
        if !account.is_empty() {
            rec.insert("userAccount".into(), Value::Object(account));
        }
        match profile_from_record(&Value::Object(rec)) {
            Ok(p) => out.profiles.push(p),
            Err(reason) => out.rejected.push(Rejection { line, reason }),
        }
    }
    out
}

/// Parses a file by its content: JSON lines when the first non-blank character is `{`, else CSV.
pub fn parse_file(text: &str) -> Parsed {
    let first = text.trim_start_matches('\u{feff}').trim_start();
    if first.starts_with('{')
        || first.starts_with('#')
            && first.lines().find(|l| !l.trim_start().starts_with('#')).is_some_and(|l| l.trim_start().starts_with('{'))
    {
        parse_json_lines(text)
    } else {
        parse_csv(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_require_email() {
        let text = concat!(
            r#"{"identityMap": {"Email": [{"id": "Ann@Example.com", "primary": true}]}, "person": {"name": {"firstName": "Ann"}}, "userAccount": {"ID": "c-1"}}"#,
            "\n\n",
            r#"{"identityMap": {"CRMID": [{"id": "x"}]}, "personalEmail": {"address": "b@example.com"}}"#,
            "\n",
            "not json\n",
            r#"{"identityMap": {"Email": [{"id": "nope"}]}}"#,
            "\n"
        );
        let p = parse_file(text);
        assert_eq!(p.profiles.len(), 1);
        assert_eq!(p.profiles[0].email, "ann@example.com");
        assert_eq!(p.profiles[0].account_id.as_deref(), Some("c-1"));
        let lines: Vec<usize> = p.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![3, 4, 5]);
        assert!(p.rejected[0].reason.contains("Email"), "{:?}", p.rejected[0]);
    }

    #[test]
    fn csv_with_quotes_and_line_numbers() {
        let text = "email,firstName,lastName,street,city\n\
                    ann@example.com,Ann,\"O\"\"Neil\",\"1 Main St\nApt 2\",Berlin\n\
                    ,Bob,NoMail,,\n\
                    cy@example.org,Cy,,,\n";
        let p = parse_file(text);
        assert_eq!(p.profiles.len(), 2);
        assert_eq!(p.profiles[0].last_name.as_deref(), Some("O\"Neil"));
        assert_eq!(p.profiles[0].address.as_deref(), Some("1 Main St\nApt 2, Berlin"));
        assert_eq!(
            p.rejected,
            vec![Rejection { line: 4, reason: "the email column is empty (the shopper's email is required)".into() }]
        );
    }
}

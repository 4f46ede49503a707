//! Text rendering of query results for `edge-emulator query`: an aligned table (cells cut to a
//! width unless asked not to) or JSON lines.

use serde_json::Value;

use crate::store::QueryResult;

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Makes a cell printable on one line and at most `max` characters wide (0 = unlimited).
fn fit(s: &str, max: usize) -> String {
    let one_line: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if max == 0 || one_line.chars().count() <= max {
        return one_line;
    }
    let mut out: String = one_line.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// An aligned text table with a header, a rule, the rows and a row count.
pub fn format_table(r: &QueryResult, max_cell: usize) -> String {
    let header: Vec<String> = r.columns.iter().map(|c| fit(c, max_cell)).collect();
    let rows: Vec<Vec<String>> =
        r.rows.iter().map(|row| row.iter().map(|v| fit(&cell(v), max_cell)).collect()).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (i, c) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let numeric: Vec<bool> = (0..widths.len())
        .map(|i| {
            !r.rows.is_empty()
                && r.rows.iter().all(|row| matches!(row.get(i), Some(Value::Number(_)) | Some(Value::Null)))
        })
        .collect();
    let line = |cells: &[String], align_numbers: bool| -> String {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = widths[i].saturating_sub(c.chars().count());
                if align_numbers && numeric[i] {
                    format!("{}{c}", " ".repeat(pad))
                } else {
                    format!("{c}{}", " ".repeat(pad))
                }
            })
            .collect();
        parts.join(" | ").trim_end().to_string()
    };
    let mut out = String::new();
    out.push_str(&line(&header, true));
    out.push('\n');
    out.push_str(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("-+-"));
    out.push('\n');
    for row in &rows {
        out.push_str(&line(row, true));
        out.push('\n');
    }
    let n = r.rows.len();
    out.push_str(&format!("({n} row{})\n", if n == 1 { "" } else { "s" }));
    out
}

/// One JSON object per row, keyed by column name.
pub fn format_json_lines(r: &QueryResult) -> String {
    let mut out = String::new();
    for row in &r.rows {
        let obj: serde_json::Map<String, Value> = r.columns.iter().cloned().zip(row.iter().cloned()).collect();
        out.push_str(&Value::Object(obj).to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn aligned() {
        let r = QueryResult {
            columns: vec!["eventType".into(), "n".into()],
            rows: vec![vec![json!("commerce.productViews"), json!(12)], vec![json!("page\nview"), json!(3)]],
            truncated: false,
        };
        let t = format_table(&r, 0);
        let expected = "eventType             |  n\n----------------------+---\ncommerce.productViews | 12\npage view             |  3\n(2 rows)\n";
        assert_eq!(t, expected);
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(format_json_lines(&r).lines().next().unwrap(), r#"{"eventType":"commerce.productViews","n":12}"#);
    }
}

//! Import of the neighbour list (pairs of AGS of Gemeinden that share a border) for the check
//! that every Vergleichsraum is contiguous (docs/METHOD.md §2.3). Every row whose first two
//! cells are official keys is a pair; other rows (a header) are skipped.

use super::cell::parse_text;
use super::{ImportError, open_rows};
use crate::model::Ags;
use std::path::Path;

/// Reads the pairs (normalised AGS).
pub fn read_neighbours(
    path: &Path,
    sheet: Option<&str>,
) -> Result<Vec<(String, String)>, ImportError> {
    let (mut reader, _) = open_rows(path, sheet)?;
    let mut pairs = Vec::new();
    while let Some(r) = reader.next_row()? {
        let keys: Vec<Ags> = r
            .cells
            .iter()
            .take(2)
            .filter_map(parse_text)
            .filter_map(|t| Ags::parse(&t))
            .collect();
        if let [a, b] = keys.as_slice() {
            pairs.push((a.as_str().to_string(), b.as_str().to_string()));
        }
        if pairs.len() > 1_000_000 {
            break;
        }
    }
    if pairs.is_empty() {
        return Err(ImportError::Empty {
            detail: format!(
                "Nachbarschaftsliste {} enthält keine Paare von Gemeindeschlüsseln",
                path.display()
            ),
        });
    }
    Ok(pairs)
}

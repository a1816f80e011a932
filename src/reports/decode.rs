//! Bytes to text: the BOMs and UTF-16 that meeting platforms write, and line numbers
//! for error messages.

use super::ImportError;

pub(super) fn decode(bytes: &[u8]) -> Result<String, ImportError> {
    let text = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        decode_utf8(rest)?
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        decode_utf16(rest, u16::from_le_bytes)?
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        decode_utf16(rest, u16::from_be_bytes)?
    } else if bytes.len() >= 2 && bytes[0] != 0 && bytes[1] == 0 {
        // UTF-16 LE that lost its BOM: ASCII text with every other byte zero.
        decode_utf16(bytes, u16::from_le_bytes)?
    } else if bytes.len() >= 2 && bytes[0] == 0 && bytes[1] != 0 {
        decode_utf16(bytes, u16::from_be_bytes)?
    } else {
        decode_utf8(bytes)?
    };
    Ok(text.trim_start_matches('\u{feff}').to_string())
}

fn decode_utf8(bytes: &[u8]) -> Result<String, ImportError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let line = LineCounter::new(bytes).line_of(e.valid_up_to());
            Err(ImportError::at(
                line,
                "the file is not UTF-8 or UTF-16 text; upload the report exactly as \
                 Zoom or Teams exported it (if it was re-saved in a spreadsheet, save it as \
                 \"CSV UTF-8\")",
            ))
        }
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, ImportError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(ImportError::file(
            "the file looks like UTF-16 text but ends in the middle of a character; \
             it is probably truncated, download the report again",
        ));
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut out = String::with_capacity(bytes.len() / 2);
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => out.push(c),
            Err(_) => {
                let line = out.matches('\n').count() + 1;
                return Err(ImportError::at(
                    line,
                    "the file contains invalid UTF-16 text; download the report again",
                ));
            }
        }
    }
    Ok(out)
}

/// Line numbers of byte offsets that only move forward, as records come: each byte is
/// looked at once, so numbering a whole file takes time in proportion to its size. A line
/// ends with LF, CRLF or a lone CR (old Mac files), so a file numbers alike whatever wrote
/// it; a quoted field that spans lines counts each of its lines. (The csv crate's own line
/// count skips blank lines and does not count lone CRs.) Used for meeting reports and for
/// the invitee list alike.
pub struct LineCounter<'a> {
    bytes: &'a [u8],
    /// Where counting stopped, and the 1-based line number there.
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// 1-based line number of `offset` (blank lines before it skipped); offsets must not
    /// go backwards.
    pub fn line_of(&mut self, offset: usize) -> usize {
        let bytes = self.bytes;
        let mut offset = offset.clamp(self.offset, bytes.len());
        // Step over line breaks the reader skipped as blank lines.
        while offset < bytes.len() && (bytes[offset] == b'\n' || bytes[offset] == b'\r') {
            offset += 1;
        }
        self.line += (self.offset..offset)
            .filter(|&i| match bytes[i] {
                b'\n' => true,
                // CR ends a line unless LF follows (then the LF counts).
                b'\r' => bytes.get(i + 1) != Some(&b'\n'),
                _ => false,
            })
            .count();
        self.offset = offset;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::LineCounter;
    use crate::reports::test_support::{TEAMS, err, teams_text};

    /// The line of each place marked `|` in `text` (the marks taken out).
    fn lines_at_bars(text: &str) -> Vec<usize> {
        let bytes = text.replace('|', "");
        let mut counter = LineCounter::new(bytes.as_bytes());
        text.match_indices('|')
            .enumerate()
            .map(|(marks_before, (at, _))| counter.line_of(at - marks_before))
            .collect()
    }

    #[test]
    fn lf_crlf_and_cr_files_number_their_lines_alike() {
        for end in ["\n", "\r\n", "\r"] {
            // A field spanning lines 2-3, a blank line 5 the reader skips.
            let text = ["|h", "|a,\"x", "y\"", "|b", "", "|c", ""].join(end);
            assert_eq!(lines_at_bars(&text), [1, 2, 4, 6], "{end:?}");
        }
    }

    #[test]
    fn teams_sample_is_utf16le_bom_tab_crlf() {
        assert!(TEAMS.starts_with(&[0xFF, 0xFE]));
        let text = teams_text();
        assert!(text.contains("\r\n") && text.contains('\t'));
    }

    #[test]
    fn invalid_encodings() {
        let e = err(b"Name (Original Name),User Email\nAnn,\xFFbad\n");
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("not UTF-8"), "{e}");
        let e = err(b"\xFF\xFEN\0a\0m");
        assert!(e.message.contains("truncated"), "{e}");
        // Lone low surrogate on the second line.
        let e = err(b"\xFF\xFEa\0\n\0\x00\xDC");
        assert_eq!(e.line, Some(2));
    }
}

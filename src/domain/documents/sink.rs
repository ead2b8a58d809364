//! Collects text up to the bound, so a reader can stop as soon as the caller
//! has all it will get.

pub(super) struct TextSink {
    out: String,
    cap: usize,
    truncated: bool,
}

impl TextSink {
    pub fn new(cap: usize) -> Self {
        Self {
            out: String::new(),
            cap,
            truncated: false,
        }
    }

    /// Appends what fits; cuts on a character boundary.
    pub fn push(&mut self, text: &str) {
        if self.truncated {
            return;
        }
        let room = self.cap.saturating_sub(self.out.len());
        if text.len() <= room {
            self.out.push_str(text);
            return;
        }
        let mut cut = room;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        self.out.push_str(&text[..cut]);
        self.truncated = true;
    }

    pub fn push_char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.push(c.encode_utf8(&mut buf));
    }

    /// Ends the current line unless the text already ends one (or is empty).
    pub fn end_line(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.push_char('\n');
        }
    }

    pub fn full(&self) -> bool {
        self.truncated
    }

    pub fn finish(self) -> (String, bool) {
        (self.out, self.truncated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_past_the_cap_is_cut_on_a_character_boundary() {
        let mut sink = TextSink::new(5);
        sink.push("ab");
        sink.push("cdé!");
        assert!(sink.full());
        sink.push("more");
        assert_eq!(sink.finish(), ("abcd".to_string(), true));
    }
}

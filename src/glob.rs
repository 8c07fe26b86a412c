//! Redis's glob patterns (KEYS, SCAN MATCH): `*`, `?`, `[abc]`, `[^a]`, `[a-z]`, and `\`
//! escaping the next character. Matching is on bytes, case-sensitive.

/// A compiled-once view of a pattern.
#[derive(Debug)]
pub struct Glob<'p> {
    pattern: &'p [u8],
}

impl<'p> Glob<'p> {
    pub fn new(pattern: &'p [u8]) -> Self {
        Self { pattern }
    }

    /// The bytes every match starts with: the pattern up to its first special character.
    pub fn literal_prefix(&self) -> Vec<u8> {
        let mut prefix = Vec::new();
        let mut rest = self.pattern;
        loop {
            match rest {
                [b'\\', escaped, tail @ ..] => {
                    prefix.push(*escaped);
                    rest = tail;
                }
                [b'*' | b'?' | b'[' | b'\\', ..] | [] => return prefix,
                [byte, tail @ ..] => {
                    prefix.push(*byte);
                    rest = tail;
                }
            }
        }
    }

    pub fn matches(&self, text: &[u8]) -> bool {
        matches(self.pattern, text)
    }
}

fn matches(pattern: &[u8], text: &[u8]) -> bool {
    // Iterative with one backtrack point: the last `*` seen, and where its match ends now.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if let Some(step) = match_one(&pattern[p..], text[t]) {
            p += step;
            t += 1;
        } else if pattern.get(p) == Some(&b'*') {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            // Let the last `*` swallow one more byte and retry from there.
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&byte| byte == b'*')
}

/// If the pattern's first element (not `*`) matches `byte`, how many pattern bytes it spans.
fn match_one(pattern: &[u8], byte: u8) -> Option<usize> {
    match pattern {
        [] | [b'*', ..] => None,
        [b'?', ..] => Some(1),
        [b'\\', escaped, ..] => (*escaped == byte).then_some(2),
        [b'[', class @ ..] => match_class(class, byte).map(|length| length + 1),
        [literal, ..] => (*literal == byte).then_some(1),
    }
}

/// Matches a `[...]` class (given without its `[`); returns the bytes it spans, `]` included.
/// An unterminated class runs to the end of the pattern, as in Redis.
fn match_class(class: &[u8], byte: u8) -> Option<usize> {
    let (negated, start) = match class.first() {
        Some(b'^') => (true, 1),
        _ => (false, 0),
    };
    let mut i = start;
    let mut found = false;
    while i < class.len() && class[i] != b']' {
        match &class[i..] {
            [b'\\', escaped, ..] => {
                found |= *escaped == byte;
                i += 2;
            }
            [low, b'-', high, ..] if *high != b']' => {
                let (low, high) = if low <= high { (*low, *high) } else { (*high, *low) };
                found |= (low..=high).contains(&byte);
                i += 3;
            }
            [single, ..] => {
                found |= *single == byte;
                i += 1;
            }
            [] => unreachable!("the loop condition keeps i inside the class"),
        }
    }
    let spanned = (i + 1).min(class.len());
    (found != negated).then_some(spanned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_as_in_redis() {
        for (pattern, text, expected) in [
            ("*", "", true),
            ("*", "anything", true),
            ("user:*", "user:42", true),
            ("user:*", "user", false),
            ("h?llo", "hello", true),
            ("h?llo", "hllo", false),
            ("h*llo", "heeeello", true),
            ("h*llo", "hello world", false),
            ("h[ae]llo", "hallo", true),
            ("h[ae]llo", "hillo", false),
            ("h[^e]llo", "hallo", true),
            ("h[^e]llo", "hello", false),
            ("h[a-b]llo", "hbllo", true),
            ("h[b-a]llo", "hbllo", true),
            ("h[a-b]llo", "hcllo", false),
            ("a\\*b", "a*b", true),
            ("a\\*b", "axb", false),
            ("[\\]]", "]", true),
            ("*a*b*c*", "xxaxxbxxcxx", true),
            ("*a*b*c*", "xxaxxcxxbxx", false),
            ("a*", "ba", false),
            ("**", "x", true),
        ] {
            assert_eq!(
                Glob::new(pattern.as_bytes()).matches(text.as_bytes()),
                expected,
                "{pattern:?} on {text:?}"
            );
        }
    }

    #[test]
    fn the_literal_prefix_stops_at_the_first_special_character() {
        assert_eq!(Glob::new(b"user:*").literal_prefix(), b"user:");
        assert_eq!(Glob::new(b"a\\*b*").literal_prefix(), b"a*b");
        assert_eq!(Glob::new(b"h?llo").literal_prefix(), b"h");
        assert_eq!(Glob::new(b"[ab]").literal_prefix(), b"");
        assert_eq!(Glob::new(b"exact").literal_prefix(), b"exact");
    }
}

//! Texts to the model's three integer inputs, with every size bounded: the
//! bytes read per text, the tokens kept per text and the rows per run.

use tokenizers::{Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

/// Tokens kept per text, special tokens included. The model was trained on
/// sequences of this length (its position table allows 512); the rest of a
/// longer text is cut, as sentence-transformers does for this model.
pub const MAX_TOKENS: usize = 256;

/// Bytes of a text handed to the tokenizer. Tokenising costs time and memory
/// in proportion to the input before truncation drops the tail, so a whole
/// file must not reach it; 256 tokens never need more than this in practice
/// (WordPiece tokens average a few bytes).
pub const MAX_TEXT_BYTES: usize = 16 * 1024;

/// Texts embedded by one model run; a longer list runs in several. Bounds the
/// attention's memory, which grows with rows × tokens².
pub const MAX_BATCH: usize = 16;

/// One model run's inputs, row-major `rows × len`, padded with zeros (the
/// padding id and a zero mask) to the longest text in the batch.
#[derive(Debug, PartialEq)]
pub struct Batch {
    pub rows: usize,
    pub len: usize,
    pub input_ids: Vec<i64>,
    pub attention_mask: Vec<i64>,
    pub token_type_ids: Vec<i64>,
}

/// Sets the truncation this adapter relies on, whatever the tokenizer file
/// says (the one shipped with the model pads everything to 128 and cuts
/// there); padding is done here, to the batch's longest text only.
pub fn configure(tokenizer: &mut Tokenizer) -> Result<(), String> {
    tokenizer
        .with_truncation(Some(TruncationParams {
            direction: TruncationDirection::Right,
            max_length: MAX_TOKENS,
            strategy: TruncationStrategy::LongestFirst,
            stride: 0,
        }))
        .map_err(|e| format!("tokenizer truncation: {e}"))?;
    tokenizer.with_padding(None);
    Ok(())
}

/// The longest prefix of `text` within `MAX_TEXT_BYTES` that ends on a
/// character boundary.
fn bounded(text: &str) -> &str {
    if text.len() <= MAX_TEXT_BYTES {
        return text;
    }
    let mut end = MAX_TEXT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Tokenises at most `MAX_BATCH` texts (the caller splits longer lists).
/// Texts are encoded one by one: the tokenizer's batch call would start a
/// thread pool of its own beside the runtime's.
pub fn encode(tokenizer: &Tokenizer, texts: &[String]) -> Result<Batch, String> {
    debug_assert!(texts.len() <= MAX_BATCH);
    let mut encodings = Vec::with_capacity(texts.len());
    for text in texts {
        let encoding = tokenizer
            .encode(bounded(text), true)
            .map_err(|e| format!("tokenizer: {e}"))?;
        encodings.push(encoding);
    }
    let rows = encodings.len();
    let len = encodings
        .iter()
        .map(|e| e.get_ids().len().min(MAX_TOKENS))
        .max()
        .unwrap_or(0);
    let mut batch = Batch {
        rows,
        len,
        input_ids: vec![0; rows * len],
        attention_mask: vec![0; rows * len],
        token_type_ids: vec![0; rows * len],
    };
    for (row, encoding) in encodings.iter().enumerate() {
        let start = row * len;
        let ids = encoding.get_ids();
        let take = ids.len().min(len);
        let fields = [
            (&mut batch.input_ids, ids),
            (&mut batch.attention_mask, encoding.get_attention_mask()),
            (&mut batch.token_type_ids, encoding.get_type_ids()),
        ];
        for (out, values) in fields {
            for (slot, value) in out[start..start + take].iter_mut().zip(values) {
                *slot = i64::from(*value);
            }
        }
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// The shipped model's tokenizer file, shrunk to a handful of words: the
    /// same normaliser, pre-tokeniser, template and WordPiece settings,
    /// including the padding to 128 that `configure` must switch off.
    fn tokenizer() -> Tokenizer {
        let json = r###"{
          "version": "1.0",
          "truncation": {"direction": "Right", "max_length": 128, "strategy": "LongestFirst", "stride": 0},
          "padding": {"strategy": {"Fixed": 128}, "direction": "Right", "pad_to_multiple_of": null,
                      "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"},
          "added_tokens": [
            {"id": 0, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
            {"id": 1, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
            {"id": 2, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
            {"id": 3, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
          ],
          "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
          "pre_tokenizer": {"type": "BertPreTokenizer"},
          "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                               "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
          "decoder": null,
          "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                    "max_input_chars_per_word": 100,
                    "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3,
                              "soup": 4, "lentil": 5, "with": 6, "cum": 7, "##in": 8, "a": 9}}
        }"###;
        let mut tokenizer = Tokenizer::from_str(json).expect("test tokenizer parses");
        configure(&mut tokenizer).expect("configure");
        tokenizer
    }

    const CLS: i64 = 2;
    const SEP: i64 = 3;

    #[test]
    fn encodes_words_and_pieces_between_cls_and_sep_padded_to_the_longest() {
        let batch = encode(
            &tokenizer(),
            &["Lentil SOUP with cumin".to_owned(), "soup".to_owned()],
        )
        .unwrap();
        assert_eq!((batch.rows, batch.len), (2, 7));
        assert_eq!(
            batch.input_ids,
            vec![CLS, 5, 4, 6, 7, 8, SEP, CLS, 4, SEP, 0, 0, 0, 0]
        );
        assert_eq!(
            batch.attention_mask,
            vec![1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]
        );
        assert_eq!(batch.token_type_ids, vec![0; 14]);
    }

    #[test]
    fn a_long_text_is_cut_to_max_tokens_and_still_ends_with_sep() {
        let long = "a ".repeat(MAX_TOKENS * 3);
        let batch = encode(&tokenizer(), &[long, "soup".to_owned()]).unwrap();
        assert_eq!(batch.len, MAX_TOKENS);
        let first = &batch.input_ids[..MAX_TOKENS];
        assert_eq!(first[0], CLS);
        assert_eq!(first[MAX_TOKENS - 1], SEP);
        assert!(first[1..MAX_TOKENS - 1].iter().all(|&id| id == 9));
        assert!(batch.attention_mask[..MAX_TOKENS].iter().all(|&m| m == 1));
        // The short text is padded to the long one, its mask zero past SEP.
        assert_eq!(batch.input_ids[MAX_TOKENS..MAX_TOKENS + 3], [CLS, 4, SEP]);
        assert_eq!(
            batch.attention_mask[MAX_TOKENS + 3..],
            vec![0; MAX_TOKENS - 3]
        );
    }

    #[test]
    fn only_the_first_max_text_bytes_reach_the_tokenizer_cut_on_a_char_boundary() {
        // Two-byte characters across the limit: the cut must not split one.
        let text = "é".repeat(MAX_TEXT_BYTES);
        let cut = bounded(&text);
        assert!(cut.len() <= MAX_TEXT_BYTES && cut.len() > MAX_TEXT_BYTES - 2);
        assert!(text.starts_with(cut));
        assert_eq!(bounded("soup"), "soup");
        // A text whose words all lie past the limit yields no word tokens.
        let hidden = format!("{}soup", " ".repeat(MAX_TEXT_BYTES));
        let batch = encode(&tokenizer(), &[hidden]).unwrap();
        assert_eq!(batch.input_ids, vec![CLS, SEP]);
    }

    #[test]
    fn an_empty_text_is_cls_sep_and_an_empty_list_is_an_empty_batch() {
        let batch = encode(&tokenizer(), &[String::new()]).unwrap();
        assert_eq!(batch.input_ids, vec![CLS, SEP]);
        let none = encode(&tokenizer(), &[]).unwrap();
        assert_eq!((none.rows, none.len), (0, 0));
    }
}

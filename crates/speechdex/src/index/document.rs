//! The document the indexer hands to tantivy: one speech, with the folded body held **once** for
//! both body fields.
//!
//! tantivy's own `TantivyDocument` owns one copy of the text per field value, and `add_document`
//! only queues a document (up to 10,000 of them) for the indexing threads: a speech's text then
//! sits in the queue three times (stored body, folded body for the words field, folded body
//! for the exact field). [`SpeechDoc`] keeps each distinct value once and lets several fields
//! point at it; tantivy's indexing threads read documents through the [`Document`] trait without
//! copying them.

use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::{Document, Field, OwnedValue};

/// A document whose fields may share one value.
#[derive(Debug, Default, Clone)]
pub struct SpeechDoc {
    values: Vec<OwnedValue>,
    /// `(field, index into values)`, in the order the fields were added.
    fields: Vec<(Field, usize)>,
}

impl SpeechDoc {
    /// An empty document.
    pub fn new() -> SpeechDoc {
        SpeechDoc::default()
    }

    /// Adds one value to several fields (each field gets the same value, held once).
    pub fn add_shared(&mut self, fields: &[Field], value: impl Into<OwnedValue>) {
        let i = self.values.len();
        self.values.push(value.into());
        self.fields.extend(fields.iter().map(|&f| (f, i)));
    }

    /// Removes and returns the first value of `field` (for reading a stored document).
    pub fn take(&mut self, field: Field) -> Option<OwnedValue> {
        let &(_, i) = self.fields.iter().find(|(f, _)| *f == field)?;
        Some(std::mem::replace(&mut self.values[i], OwnedValue::Null))
    }

    /// Every value of `field`, in order.
    pub fn get_all(&self, field: Field) -> impl Iterator<Item = &OwnedValue> {
        self.fields.iter().filter(move |(f, _)| *f == field).map(|&(_, i)| &self.values[i])
    }

    /// Adds a text value to one field.
    pub fn add_text(&mut self, field: Field, text: impl Into<String>) {
        self.add_shared(&[field], OwnedValue::Str(text.into()));
    }

    /// Adds an unsigned integer to one field.
    pub fn add_u64(&mut self, field: Field, value: u64) {
        self.add_shared(&[field], OwnedValue::U64(value));
    }

    /// Adds a signed integer to one field.
    pub fn add_i64(&mut self, field: Field, value: i64) {
        self.add_shared(&[field], OwnedValue::I64(value));
    }
}

/// Iterator over the `(field, value)` pairs of a [`SpeechDoc`].
#[derive(Debug)]
pub struct SpeechDocIter<'a> {
    doc: &'a SpeechDoc,
    next: usize,
}

impl<'a> Iterator for SpeechDocIter<'a> {
    type Item = (Field, &'a OwnedValue);

    fn next(&mut self) -> Option<Self::Item> {
        let &(field, i) = self.doc.fields.get(self.next)?;
        self.next += 1;
        Some((field, &self.doc.values[i]))
    }
}

impl Document for SpeechDoc {
    type Value<'a> = &'a OwnedValue;
    type FieldsValuesIter<'a> = SpeechDocIter<'a>;

    fn iter_fields_and_values(&self) -> SpeechDocIter<'_> {
        SpeechDocIter { doc: self, next: 0 }
    }
}

impl DocumentDeserialize for SpeechDoc {
    fn deserialize<'de, D>(mut deserializer: D) -> Result<Self, DeserializeError>
    where
        D: DocumentDeserializer<'de>,
    {
        let mut doc = SpeechDoc::new();
        while let Some((field, value)) = deserializer.next_field::<OwnedValue>()? {
            doc.add_shared(&[field], value);
        }
        Ok(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, TEXT};

    #[test]
    fn shared_values_are_held_once_and_seen_by_every_field() {
        let mut b = Schema::builder();
        let a = b.add_text_field("a", TEXT);
        let c = b.add_text_field("c", TEXT);
        let n = b.add_u64_field("n", tantivy::schema::STORED);
        let mut doc = SpeechDoc::new();
        doc.add_shared(&[a, c], "甲乙");
        doc.add_u64(n, 7);
        assert_eq!(doc.values.len(), 2);
        let seen: Vec<(Field, OwnedValue)> =
            doc.iter_fields_and_values().map(|(f, v)| (f, v.clone())).collect();
        assert_eq!(
            seen,
            [
                (a, OwnedValue::Str("甲乙".into())),
                (c, OwnedValue::Str("甲乙".into())),
                (n, OwnedValue::U64(7)),
            ]
        );
    }

    #[test]
    fn values_can_be_taken_out_of_a_read_document() {
        let mut b = Schema::builder();
        let a = b.add_text_field("a", TEXT);
        let t = b.add_text_field("t", TEXT);
        let mut doc = SpeechDoc::new();
        doc.add_text(a, "甲");
        doc.add_text(t, "一");
        doc.add_text(t, "二");
        assert_eq!(doc.take(a), Some(OwnedValue::Str("甲".into())));
        assert_eq!(doc.take(a), Some(OwnedValue::Null), "taken once");
        let tags: Vec<&OwnedValue> = doc.get_all(t).collect();
        assert_eq!(tags, [&OwnedValue::Str("一".into()), &OwnedValue::Str("二".into())]);
    }
}

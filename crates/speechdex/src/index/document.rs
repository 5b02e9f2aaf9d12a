//! The document the indexer hands to tantivy: one speech, whose fields may share one value (the
//! stored body and the exact field's folded body are one string when folding changes nothing),
//! and a ticket that counts it in the indexing queue ([`Queue`]) until it is indexed.
//!
//! tantivy's own `TantivyDocument` owns one copy of the text per field value, and `add_document`
//! only queues a document (up to 10,000 of them) for the indexing threads. [`SpeechDoc`] keeps
//! each distinct value once and lets several fields point at it; tantivy's indexing threads read
//! documents through the [`Document`] trait without copying them.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::{Document, Field, OwnedValue};

/// A document whose fields may share one value.
#[derive(Debug, Default, Clone)]
pub struct SpeechDoc {
    values: Vec<OwnedValue>,
    /// `(field, index into values)`, in the order the fields were added.
    fields: Vec<(Field, usize)>,
    /// Counts the document in a [`Queue`] until tantivy has indexed (and dropped) it.
    ticket: Option<Arc<Ticket>>,
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

    /// Counts this document's `bytes` in `queue` until it is dropped (tantivy drops a document
    /// as soon as one of its indexing threads has indexed it).
    pub fn hold_in(&mut self, queue: &Arc<Queue>, bytes: u64) {
        self.ticket = Some(Arc::new(queue.ticket(bytes)));
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

/// Bytes of documents handed to tantivy and not indexed yet.
///
/// `IndexWriter::add_document` only queues a document (up to 10,000 of them) for the indexing
/// threads: a reader faster than the indexer fills that queue with two copies of each text
/// (stored and folded), hundreds of megabytes. Committing every few megabytes bounded it, at the
/// price of many small segments to merge; counting the queued bytes and waiting
/// ([`Queue::wait_below`]) bounds it without a commit, so segments are flushed only when an
/// indexing thread's memory budget is full.
#[derive(Debug, Default)]
pub struct Queue {
    bytes: Mutex<u64>,
    drained: Condvar,
}

/// One document's share of a [`Queue`], given back when dropped.
#[derive(Debug)]
pub struct Ticket {
    queue: Arc<Queue>,
    bytes: u64,
}

impl Queue {
    /// A new, empty queue.
    pub fn new() -> Arc<Queue> {
        Arc::new(Queue::default())
    }

    fn ticket(self: &Arc<Queue>, bytes: u64) -> Ticket {
        *self.bytes.lock().unwrap_or_else(|e| e.into_inner()) += bytes;
        Ticket { queue: Arc::clone(self), bytes }
    }

    /// Bytes queued now.
    pub fn bytes(&self) -> u64 {
        *self.bytes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until at most `limit` bytes are queued, or `patience` has passed (indexing threads
    /// that failed never drain the queue: the next `add_document` then reports their error).
    /// Returns whether the queue is below the limit.
    pub fn wait_below(&self, limit: u64, patience: Duration) -> bool {
        let until = Instant::now() + patience;
        let mut bytes = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        while *bytes > limit {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            bytes = self.drained.wait_timeout(bytes, left).unwrap_or_else(|e| e.into_inner()).0;
        }
        true
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut bytes = self.queue.bytes.lock().unwrap_or_else(|e| e.into_inner());
        *bytes = bytes.saturating_sub(self.bytes);
        drop(bytes);
        self.queue.drained.notify_all();
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
    fn queued_bytes_are_given_back_when_documents_are_dropped() {
        let queue = Queue::new();
        let mut a = SpeechDoc::new();
        a.hold_in(&queue, 10);
        let mut b = SpeechDoc::new();
        b.hold_in(&queue, 5);
        let b2 = b.clone();
        assert_eq!(queue.bytes(), 15);
        assert!(!queue.wait_below(12, Duration::from_millis(1)), "nothing was dropped yet");
        let dropper = std::thread::spawn(move || drop(a));
        assert!(queue.wait_below(12, Duration::from_secs(60)));
        dropper.join().unwrap();
        drop(b);
        assert_eq!(queue.bytes(), 5, "a clone still holds the ticket");
        drop(b2);
        assert_eq!(queue.bytes(), 0);
        assert!(queue.wait_below(0, Duration::ZERO));
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

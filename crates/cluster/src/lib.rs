//! # yuqing-cluster: which articles are reprints (转载) of the same story?
//!
//! Near-duplicate clustering across sources, in three steps:
//!
//! 1. [`fingerprint`]: a 64-bit SimHash of an article's normalised body (chrome and editor's
//!    notes dropped, character-bigram shingles, edges weighted down). Pure and CPU-bound: compute it
//!    in parallel, off the async runtime.
//! 2. [`LshIndex`]: multi-index lookup of the stored fingerprints within a Hamming radius:
//!    at most 32 bucket probes per article however many are stored, and keys that widen as
//!    the index grows so that a bucket (one cache line) holds about 1–2 entries at any size;
//!    [`fingerprint_detail`] also marks the query's least-confident bits so the lookup probes
//!    where edits flip bits.
//! 3. [`same_story`]: confirmation by shingle containment of the bodies and title/lead
//!    similarity, because fingerprints alone bring together stories on one topic that share
//!    boilerplate.
//!
//! [`Clusterer`] ties them together for a single writer: it asks the index for candidates,
//! loads their text through a caller-supplied lookup, and returns the cluster id (the id of
//! the first article seen of the story). Pairwise precision and recall on the project's test
//! set are printed by `tests/cluster_eval.rs` (`cluster_eval:` line; 66 real bodies with 262
//! generated reprints and 48 same-topic reports: precision 1.000, recall 1.000 in the worst of
//! five arrival orders). Known weakness: short texts. On the project's own 150–250-character
//! reports with generated variants (`cluster_eval_own:` line) recall is 0.708, because an
//! added note, ad or a few changed characters are a large share of such a text and move many
//! fingerprint bits (reprint pairs there are a median 10 bits apart, a third more than 12);
//! precision stays 1.000. Speed (lookup and insert at 10 k, 100 k and 1 M stored fingerprints,
//! the short-text radius pass, memory per entry):
//! `cargo run --release -p yuqing-cluster --example bench_cluster`; figures in `BENCHMARKS.md`.
//!
//! Wiring into a pipeline:
//! * parallel stage: `let fp = fingerprint_detail(title, body)`; store `fp.map(|f| f.hash)` in
//!   `Analysis::fingerprint`;
//! * single writer: `clusterer.assign(&id, fp, &StoryText { title, body }, |id| load(id))`,
//!   store the result in `Analysis::cluster` (the lookup loads title and body from the store);
//! * startup: for every stored row with a fingerprint, `clusterer.restore(&id, hash, &cluster)`;
//! * the original of a cluster is its earliest published member ([`earliest`]).
//!
//! ```
//! use std::collections::HashMap;
//! use yuqing_cluster::{Clusterer, OwnedStory, StoryText, fingerprint_detail};
//! use yuqing_model::ArticleId;
//!
//! let body = "本报讯（记者 陈立）记者从山阳县邮政管理部门获悉，截至11月底，该县182个建制村全部\
//!             实现快递服务进村，村民足不出户就能收寄包裹。山阳县采取邮快合作模式，由县邮政分公司\
//!             统一承接各品牌快件的进村投递，在村委会和便民超市设立村级寄递服务站。";
//! let repost = format!("来源：某某网\n{body}\n关注我们的公众号，获取更多资讯。\n责任编辑：王五");
//! let mut store: HashMap<ArticleId, OwnedStory> = HashMap::new();
//! let mut clusters = Clusterer::new();
//! let mut ids = Vec::new();
//! for (url, title, body) in [("https://a.cn/1", "山阳县快递进村实现全覆盖", body),
//!                            ("https://b.cn/9", "182个村通了快递", repost.as_str())] {
//!     let id = ArticleId::from_canonical_url(url);
//!     let text = StoryText { title, body };
//!     let fp = fingerprint_detail(title, body); // store fp.hash in Analysis.fingerprint
//!     let cluster = clusters
//!         .assign(&id, fp, &text, |cand| store.get(cand).cloned())
//!         .unwrap();
//!     store.insert(id.clone(), OwnedStory { title: title.into(), body: body.into() });
//!     ids.push((id, cluster));
//! }
//! assert_eq!(ids[0].1, ids[0].0); // the first article starts the cluster
//! assert_eq!(ids[1].1, ids[0].0); // the reprint joins it
//! ```
#![warn(missing_docs)]

mod clusterer;
mod confirm;
mod fingerprint;
mod index;

pub use clusterer::{
    Clusterer, DEFAULT_MAX_CONFIRM, DEFAULT_MAX_HAMMING, RADIUS_PASS_MAX_BYTES, earliest,
};
pub use confirm::{CONFIRM_CHARS, Overlap, OwnedStory, StoryText, overlap, same_story};
pub use fingerprint::{
    Fingerprint, MIN_CHARS, SHINGLE_CHARS, WEAK_BITS, fingerprint, fingerprint_detail,
};
pub use index::{BANDS, LshIndex, MAX_BAND_FLIPS, MAX_KEY_BITS, MIN_KEY_BITS};

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The index already holds 2³² − 1 entries (slots are 32-bit); `id` could not be added.
    #[error("cluster index is full (2^32 - 1 entries); cannot add article {id}")]
    Full {
        /// The article that was being added.
        id: String,
    },
}

//! The one error type of the crate.

use std::path::PathBuf;

/// Why an alert run could not proceed. A failed send (SMTP refused, outbox not writable) is
/// not an error: it is reported per digest in [`crate::AlertReport`] and retried next run.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    /// Reading candidate stories or recording deliveries failed (the store error names the
    /// database, query and recipient).
    #[error(transparent)]
    Store(#[from] yuqing_store::StoreError),
    /// A recipient's address (or the sender's) is not a valid mailbox.
    #[error("recipient {name:?}: {email:?} is not a valid e-mail address: {source}")]
    Address {
        /// The recipient's display name.
        name: String,
        /// The address as configured.
        email: String,
        /// lettre's parse error.
        #[source]
        source: lettre::address::AddressError,
    },
    /// Plain (unencrypted) SMTP was configured for a host that is not loopback.
    #[error("smtp host {host}: plain SMTP without TLS is only allowed on loopback")]
    PlainNotLoopback {
        /// The configured host.
        host: String,
    },
    /// The SMTP transport could not be set up for the host (e.g. TLS parameters for a host
    /// name that is not a valid DNS name).
    #[error("smtp host {host}: cannot set up the transport: {source}")]
    Transport {
        /// The configured host.
        host: String,
        /// lettre's error.
        #[source]
        source: lettre::transport::smtp::Error,
    },
    /// The extra root certificates file (`[mail] smtp_ca_file`) cannot be read or holds no
    /// valid PEM certificate.
    #[error("smtp ca file {}: {message}", path.display())]
    CaFile {
        /// The PEM file.
        path: PathBuf,
        /// What is wrong (I/O error, no certificate, bad PEM).
        message: String,
    },
    /// The message could not be built (cannot happen for the addresses validated before;
    /// reported rather than panicked on).
    #[error("digest {message_id} to {email}: cannot build the message: {source}")]
    Build {
        /// The recipient's address.
        email: String,
        /// The digest's Message-ID.
        message_id: String,
        /// lettre's error.
        #[source]
        source: lettre::error::Error,
    },
    /// The outbox directory could not be created.
    #[error("cannot create outbox directory {}: {source}", path.display())]
    Outbox {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// `Result` with [`AlertError`].
pub type Result<T, E = AlertError> = std::result::Result<T, E>;

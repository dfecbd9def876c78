//! An e-mail job made a mail again: the stored JSON read, its attachments taken from the job or
//! read from the archive (their hash checked).

use super::model::EmailJob;
use crate::archive::{self, ArchiveError, DocumentArchive};
use crate::delivery::mail::{Attachment, Mail};

/// Why a stored e-mail job cannot be made a mail: never (the job fails at once), or not now
/// ([`MailJobError::passes`]: the archive could not be read).
#[derive(Debug, thiserror::Error)]
pub(super) enum MailJobError {
    #[error("unreadable e-mail job")]
    Unreadable(#[source] serde_json::Error),
    #[error("attachment {filename}")]
    Attachment {
        filename: String,
        #[source]
        source: base64::DecodeError,
    },
    #[error("attachment {filename} from the archive")]
    Archive {
        filename: String,
        #[source]
        source: ArchiveError,
    },
    #[error("attachment {filename}: the archive has no document {sha256}")]
    NotArchived { filename: String, sha256: String },
}

impl MailJobError {
    /// Whether trying again later may succeed (the archive did not answer, or does not have
    /// the document yet); a corrupt document is never sent.
    pub(super) fn passes(&self) -> bool {
        matches!(
            self,
            MailJobError::Archive {
                source: ArchiveError::Storage(_),
                ..
            } | MailJobError::NotArchived { .. }
        )
    }
}

pub(super) async fn to_mail(
    payload: &str,
    archive: &impl DocumentArchive,
) -> Result<Mail, MailJobError> {
    let job: EmailJob = serde_json::from_str(payload).map_err(MailJobError::Unreadable)?;
    let mut attachments = Vec::with_capacity(job.attachments.len());
    for a in &job.attachments {
        let bytes = match &a.sha256 {
            Some(sha256) => archive::read(archive, sha256)
                .await
                .map_err(|source| MailJobError::Archive {
                    filename: a.filename.clone(),
                    source,
                })?
                .ok_or_else(|| MailJobError::NotArchived {
                    filename: a.filename.clone(),
                    sha256: sha256.clone(),
                })?,
            None => a.bytes().map_err(|source| MailJobError::Attachment {
                filename: a.filename.clone(),
                source,
            })?,
        };
        attachments.push(Attachment {
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            bytes,
        });
    }
    Ok(Mail {
        from: job.from,
        to: job.to,
        cc: job.cc,
        reply_to: job.reply_to,
        subject: job.subject,
        text: job.text,
        html: job.html,
        attachments,
        message_id: Some(job.message_id),
    })
}

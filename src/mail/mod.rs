//! Announcement mail: the context templates read, the three templates
//! (warning, update, release) rendered and wrapped for a list archive, the
//! message with its stable Message-ID and threading headers, and SMTP
//! delivery that tells transient failures from permanent ones.
//!
//! Nothing here decides *when* a mail goes out or records that it went:
//! that is the engine's and the store's ledger. This module turns a decided
//! mail into bytes on an SMTP connection, the same bytes every time.

mod context;
mod message;
mod templates;
mod transport;
mod wrap;

pub use context::{ChangeInfo, MailContext, MigrationInfo, MilestoneInfo, ProjectInfo};
pub use message::{OutgoingMail, message_id};
pub(crate) use templates::located;
pub use templates::{MailKind, RenderedMail, TemplateError, Templates};
pub use transport::{Mailer, SendError};
pub use wrap::{WIDTH as WRAP_WIDTH, wrap};

//! `/notifications` (every notification, with list actions), `/notifications/new` (the
//! starter gallery; with `?template=` the editor pre-filled) and `/notifications/:id` (the
//! editor: variables, conditions, live preview, test-send, drafts and versions).

use leptos::prelude::*;
use leptos_meta::Title;

use super::{path_param, query_param};
use crate::api::notifications::{
    DeleteNotification, DiscardNotificationDraft, DuplicateNotification, EditorData, MoveNotification,
    NotificationItem, PublishNotification, RestoreNotificationVersion, SaveNotification, SetNotificationEnabled,
    TestSendNotification, list_notifications, list_starters, notification_editor,
};
use crate::components::{Badge, ErrorBox, FormResult, LoadedForViewer, confirm_first};

mod list;
pub use list::*;
mod gallery;
pub use gallery::*;
mod editor;
pub use editor::*;

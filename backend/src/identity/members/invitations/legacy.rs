//! Invitation emails stored before account emails existed: their links hidden once at start.

#[allow(unused_imports)]
use super::*;

/// Replaces the token of every `/invite/<token>` link in `text` with [`crate::delivery::outbox::REDACTED_LINK`].
pub(crate) fn hide_invite_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("/invite/") {
        let (before, after) = rest.split_at(at + "/invite/".len());
        out.push_str(before);
        let token_len =
            after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).unwrap_or(after.len());
        if token_len > 0 {
            out.push_str(crate::delivery::outbox::REDACTED_LINK);
        }
        rest = &after[token_len..];
    }
    out.push_str(rest);
    out
}

/// Files invitation emails stored before account emails existed (their links in clear) as
/// account emails with the links hidden. Returns how many changed. Idempotent.
///
/// Errors: database errors.
pub async fn hide_legacy_invitation_links(db: &sea_orm::DatabaseConnection) -> Result<usize> {
    use sea_orm::ActiveModelTrait;
    let rows = crate::entities::email::Entity::find()
        .filter(crate::entities::email::Column::Kind.ne(crate::columns::EmailKind::Account))
        .filter(crate::entities::email::Column::SubjectTemplate.eq(INVITE_SUBJECT_TEMPLATE))
        .all(db)
        .await?;
    let n = rows.len();
    for row in rows {
        let (text, html) = (row.text_body.clone(), row.html_body.clone());
        let mut active: crate::entities::email::ActiveModel = row.into();
        active.kind = Set(crate::columns::EmailKind::Account);
        active.text_body = Set(text.as_deref().map(hide_invite_links));
        active.html_body = Set(html.as_deref().map(hide_invite_links));
        active.update(db).await?;
    }
    Ok(n)
}

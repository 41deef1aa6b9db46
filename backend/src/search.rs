//! Full-text search over conversations: the document ingest writes for each call and the
//! condition the list's text filter becomes (SQLite FTS5, PostgreSQL tsvector + GIN; the
//! tables are made by migration `m20261206_000014_search`).
//!
//! Both sides use the same words: lower-cased runs of letters and digits (every other
//! character separates words). A search matches conversations that hold **every** word of
//! the query, each as a word or the start of one ("refund" finds "refunds", "ref" too).
//! Numbers are indexed with each of their digit suffixes of three digits or more, so a
//! query that looks like a phone number (only digits, spaces and `+ - ( ) .`) matches any
//! part of a caller's or callee's number ("555 0134", "0134", "+1 (415)").

use sea_orm::sea_query::{Alias, Expr, InsertStatement, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use crate::error::Result;
use crate::tenancy::Tenant;

/// Most words of a query that are searched; the rest are ignored.
pub const MAX_QUERY_WORDS: usize = 16;

/// Shortest digit suffix of a number that is indexed.
const MIN_NUMBER_SUFFIX: usize = 3;

/// What a conversation is found by.
pub struct SearchFields<'a> {
    pub call_id: &'a str,
    pub customer_name: Option<&'a str>,
    pub customer_email: Option<&'a str>,
    /// E.164 numbers.
    pub numbers: [Option<&'a str>; 2],
    /// The transcript's utterances.
    pub transcript: &'a [&'a str],
}

/// Appends the words of `text` to `out`, lower-cased and separated by single spaces.
fn push_words(out: &mut String, text: &str) {
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
}

/// The search document of one conversation: its words, then each number's digit suffixes.
pub fn document(fields: &SearchFields<'_>) -> String {
    let mut out = String::with_capacity(fields.transcript.iter().map(|t| t.len() + 1).sum::<usize>() + 128);
    push_words(&mut out, fields.call_id);
    for text in [fields.customer_name, fields.customer_email].into_iter().flatten() {
        push_words(&mut out, text);
    }
    for text in fields.transcript {
        push_words(&mut out, text);
    }
    for number in fields.numbers.into_iter().flatten() {
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        for start in 0..=digits.len().saturating_sub(MIN_NUMBER_SUFFIX) {
            out.push(' ');
            out.push_str(&digits[start..]);
        }
    }
    out
}

/// The words a query searches for: one digit string for a query that looks like a phone
/// number, otherwise its words (at most [`MAX_QUERY_WORDS`]). Empty when it has none.
pub fn query_words(text: &str) -> Vec<String> {
    let phone_like = text.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if phone_like && !digits.is_empty() {
        return vec![digits];
    }
    let mut words = String::new();
    push_words(&mut words, text);
    words.split(' ').filter(|w| !w.is_empty()).take(MAX_QUERY_WORDS).map(str::to_owned).collect()
}

/// Every word in `words`, each as `whole` formats it, the last as `start` does: a query's
/// earlier words are whole words, its last also matches as a word's start (the word being
/// typed). A start matched on GIN or FTS5 reads every word that begins so (all of a
/// common first name's calls, 40,000 of a million), so only the last word pays for it:
/// a caller's full name went from 15 to 4 ms on PostgreSQL at a million calls.
fn each_word(words: &[String], whole: impl Fn(&str) -> String, start: impl Fn(&str) -> String, join: &str) -> String {
    let last = words.len().saturating_sub(1);
    words.iter().enumerate().map(|(i, w)| if i == last { start(w) } else { whole(w) }).collect::<Vec<_>>().join(join)
}

/// The tsquery of `words` on PostgreSQL (see [`each_word`]): `rosa & lindq:*`.
fn tsquery(words: &[String]) -> String {
    each_word(words, str::to_owned, |w| format!("{w}:*"), " & ")
}

/// The FTS5 query of `words` on SQLite (see [`each_word`]): `"rosa" "lindq"*`.
fn fts5_query(words: &[String]) -> String {
    each_word(words, |w| format!("\"{w}\""), |w| format!("\"{w}\"*"), " ")
}

/// The condition "`conversations.id` is a conversation matching every word" for `backend`.
/// `words` come from [`query_words`] (letters and digits only, so they need no quoting
/// inside the FTS5 or tsquery syntax); none matches nothing.
///
/// On PostgreSQL the matches are read from the GIN index first, as an array the
/// conversations are then fetched by (`id = ANY(ARRAY(…))`): the planner cannot estimate
/// how many documents a prefix query matches, and given a plain `IN` it may walk every
/// conversation newest first testing each document (880 ms for a word said in one call of a
/// million). Fast for all but words said in most calls, which [`newest_matches`] serves.
pub fn matches(backend: DbBackend, words: &[String]) -> SimpleExpr {
    if words.is_empty() {
        return Expr::cust("1 = 0");
    }
    match backend {
        DbBackend::Postgres => Expr::cust_with_values(
            r#""conversations"."id" = ANY(ARRAY(SELECT conversation_id FROM conversation_search WHERE document @@ to_tsquery('simple', $1)))"#,
            [tsquery(words)],
        ),
        _ => {
            let query = fts5_query(words);
            Expr::cust_with_values(
                r#""conversations"."id" IN (SELECT k.conversation_id FROM conversation_search s JOIN conversation_search_keys k ON k.id = s.rowid WHERE s.document MATCH ?)"#,
                [query],
            )
        }
    }
}

/// The condition "`conversations.id` is one of the tenant's `window` newest conversations
/// (before `before`, the list's keyset cursor) matching every word", on SQLite: FTS5 walks
/// its index from the newest stored document down and stops after `window` of the tenant's
/// matches, so a word said in every call costs as little as a rare one, and no set of every
/// match is built. The newest stored is the newest received: conversations are indexed in
/// the transaction that stores them, by the one ingest writer, in the order of their ids.
/// The caller ([`crate::conversations::list`]) falls back to [`matches`] when the other
/// filters leave less than a page of the window.
///
/// On PostgreSQL (GIN keeps no order) the window is the tenant's `window` newest
/// conversations before `before`, each document tested by its key: a word said in most
/// calls fills the page from the first few, and a rarer one leaves it short, so the caller
/// reads the GIN index instead ([`matches`]).
pub fn newest_matches(
    backend: DbBackend,
    tenant: &Tenant,
    words: &[String],
    before: Option<Uuid>,
    window: u64,
) -> SimpleExpr {
    if words.is_empty() {
        return matches(backend, words);
    }
    if backend == DbBackend::Postgres {
        let window = i64::try_from(window).unwrap_or(i64::MAX);
        let tested = "EXISTS (SELECT 1 FROM conversation_search s WHERE s.conversation_id = \"conversations\".\"id\" \
                      AND s.document @@ to_tsquery('simple', $3))";
        let mut values: Vec<sea_orm::Value> = vec![tenant.account_id().into(), window.into(), tsquery(words).into()];
        let newest = match before {
            None => "SELECT n.id FROM conversations n WHERE n.account_id = $1 ORDER BY n.id DESC LIMIT $2",
            Some(before) => {
                values.push(before.into());
                "SELECT n.id FROM conversations n WHERE n.account_id = $1 AND n.id < $4 ORDER BY n.id DESC LIMIT $2"
            }
        };
        return Expr::cust_with_values(format!(r#""conversations"."id" IN ({newest}) AND {tested}"#), values);
    }
    let query = fts5_query(words);
    let window = i64::try_from(window).unwrap_or(i64::MAX);
    let account = tenant.account_id();
    match before {
        None => Expr::cust_with_values(
            r#""conversations"."id" IN (SELECT k.conversation_id FROM conversation_search s JOIN conversation_search_keys k ON k.id = s.rowid WHERE s.document MATCH ? AND k.account_id = ? ORDER BY s.rowid DESC LIMIT ?)"#,
            [sea_orm::Value::from(query), account.into(), window.into()],
        ),
        Some(before) => Expr::cust_with_values(
            r#""conversations"."id" IN (SELECT k.conversation_id FROM conversation_search s JOIN conversation_search_keys k ON k.id = s.rowid WHERE s.document MATCH ? AND k.account_id = ? AND s.rowid < (SELECT id FROM conversation_search_keys WHERE conversation_id = ?) ORDER BY s.rowid DESC LIMIT ?)"#,
            [sea_orm::Value::from(query), account.into(), before.into(), window.into()],
        ),
    }
}

/// Indexes conversation `id` with `document` on `db`, inside the transaction that stores
/// the conversation (so a stored call is always searchable and a rolled-back one never is).
///
/// On PostgreSQL the tsvector is `strip`ped of word positions: queries use only `&` and
/// prefixes (never phrases or ranking), and a stripped document is about 60 % of the size
/// (895 against 1,433 bytes on the seeded calls), so the rows a GIN match must read and
/// the WAL written per call shrink with it. Documents stored before keep their positions
/// and match the same queries.
pub async fn index<C: ConnectionTrait>(db: &C, tenant: &Tenant, id: Uuid, document: String) -> Result<()> {
    let backend = db.get_database_backend();
    let account = tenant.account_id();
    match backend {
        DbBackend::Postgres => {
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO conversation_search (conversation_id, account_id, document) VALUES ($1, $2, strip(to_tsvector('simple', $3)))",
                [id.into(), account.into(), document.into()],
            ))
            .await?;
        }
        _ => {
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO conversation_search_keys (account_id, conversation_id) VALUES (?, ?)",
                [account.into(), id.into()],
            ))
            .await?;
            db.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO conversation_search (rowid, document) VALUES (last_insert_rowid(), ?)",
                [document.into()],
            ))
            .await?;
        }
    }
    Ok(())
}

/// On SQLite, [`index`] for many conversations in two statements (ingest's group commit,
/// `calls::bulk`): `rows` holds `(account, conversation id, document)`. Run it in the
/// transaction that stores the conversations.
///
/// Errors: the database's.
pub(crate) async fn index_many_sqlite<C: ConnectionTrait>(db: &C, rows: &[(Uuid, Uuid, &str)]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let backend = DbBackend::Sqlite;
    let placeholders = vec!["(?, ?)"; rows.len()].join(", ");
    let keys: Vec<sea_orm::Value> =
        rows.iter().flat_map(|(account, id, _)| [(*account).into(), (*id).into()]).collect();
    let returned = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO conversation_search_keys (account_id, conversation_id) VALUES {placeholders} \
                 RETURNING id, conversation_id"
            ),
            keys,
        ))
        .await?;
    let mut rowids = std::collections::HashMap::with_capacity(returned.len());
    for row in returned {
        rowids.insert(row.try_get::<Uuid>("", "conversation_id")?, row.try_get::<i64>("", "id")?);
    }
    let mut documents = Vec::with_capacity(rows.len() * 2);
    for (_, id, document) in rows {
        let rowid = rowids.get(id).ok_or_else(|| sea_orm::DbErr::Custom(format!("no search key returned for {id}")))?;
        documents.push(sea_orm::Value::from(*rowid));
        documents.push(sea_orm::Value::from(*document));
    }
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        format!("INSERT INTO conversation_search (rowid, document) VALUES {placeholders}"),
        documents,
    ))
    .await?;
    Ok(())
}

/// On PostgreSQL, the [`index`] insert as one part of a larger statement: it indexes the
/// conversation whose `id` the common table expression `inserted` returns (no row when that
/// returned none), with `document`, stripped as [`index`] does. Ingest's single statement
/// (`calls::single`) uses it.
///
/// Errors: none in practice (sea-query's column-count check, as [`sea_orm::DbErr::Custom`]).
pub(crate) fn index_from_pg(
    inserted: &str,
    tenant: &Tenant,
    document: &str,
) -> std::result::Result<InsertStatement, sea_orm::DbErr> {
    let mut select = Query::select();
    select
        .column((Alias::new(inserted), Alias::new("id")))
        .expr(Expr::val(tenant.account_id()))
        .expr(Expr::cust_with_values("strip(to_tsvector('simple', $1))", [sea_orm::Value::from(document)]))
        .from(Alias::new(inserted));
    let mut insert = Query::insert();
    insert.into_table(Alias::new("conversation_search")).columns([
        Alias::new("conversation_id"),
        Alias::new("account_id"),
        Alias::new("document"),
    ]);
    insert.select_from(select).map_err(|e| sea_orm::DbErr::Custom(format!("the search insert: {e}")))?;
    Ok(insert)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_holds_lowercased_words_and_number_suffixes() {
        let transcript = ["Hi, I'd like a REFUND.", "Café au lait?"];
        let doc = document(&SearchFields {
            call_id: "call_ab12",
            customer_name: Some("Ada Lovelace"),
            customer_email: Some("ada@example.com"),
            numbers: [Some("+14155550134"), None],
            transcript: &transcript,
        });
        assert_eq!(
            doc,
            "call ab12 ada lovelace ada example com hi i d like a refund café au lait \
             14155550134 4155550134 155550134 55550134 5550134 550134 50134 0134 134"
        );
    }

    #[test]
    fn phone_like_queries_become_one_digit_string() {
        assert_eq!(query_words("+1 (415) 555-0134"), ["14155550134"]);
        assert_eq!(query_words("0134"), ["0134"]);
        assert_eq!(query_words("Refund, please!"), ["refund", "please"]);
        assert_eq!(query_words("call_ab12"), ["call", "ab12"]);
        assert!(query_words("?!").is_empty());
        assert_eq!(query_words(&"a ".repeat(40)).len(), MAX_QUERY_WORDS);
    }

    #[test]
    fn match_expressions_quote_words_for_each_engine() {
        use sea_orm::sea_query::{PostgresQueryBuilder, Query, SqliteQueryBuilder};
        let words = query_words("refund ab12");
        let (sqlite, values) = Query::select().expr(matches(DbBackend::Sqlite, &words)).build(SqliteQueryBuilder);
        assert!(sqlite.contains("MATCH ?)"), "{sqlite}");
        assert_eq!(values.0, [r#""refund" "ab12"*"#.into()]);
        let (pg, values) = Query::select().expr(matches(DbBackend::Postgres, &words)).build(PostgresQueryBuilder);
        assert!(pg.contains("to_tsquery('simple', $1)"), "{pg}");
        assert_eq!(values.0, ["refund & ab12:*".into()]);
        let none = Query::select().expr(matches(DbBackend::Sqlite, &[])).to_string(SqliteQueryBuilder);
        assert!(none.contains("1 = 0"), "{none}");
    }
}

//! Typed storage: a stored value that does not parse is an error naming its row, never a
//! default (an email with a corrupt recipient list must not read as "no recipients").

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use backend::entities::{email, notification};
use reqwest::Method;
use serde_json::json;

db_test!(a_corrupt_stored_value_is_an_error_that_names_its_row, |app| {
    let t = app.tenant("Acme").await;
    // An invitation: one account email, waiting for its SendEmail job.
    app.teammate(&t, "member").await;
    let db = &app.services.db;
    let row = email::Entity::find().one(db).await.unwrap().expect("the invitation email");
    assert_eq!(row.state, backend::delivery::outbox::EmailState::Pending);
    let id = row.id;

    // Recipients that are not a list of addresses.
    email::Entity::update_many()
        .col_expr(email::Column::Recipients, Expr::value(serde_json::json!({"to": "a@example.com"})))
        .filter(email::Column::Id.eq(id))
        .exec(db)
        .await
        .unwrap();
    let err = email::Entity::find_by_id(id).one(db).await.expect_err("a corrupt row does not read as a default");
    let message = err.to_string();
    assert!(message.contains("emails.recipients") && message.contains(&id.to_string()), "{message}");
    // The REST API answers 500 for it rather than a delivery with nobody to send to.
    let (status, body) = app.api_get(&t.api_key, "/api/v1/deliveries").await;
    assert_eq!(status, 500, "{body}");
    assert!(!body.to_string().contains("a@example.com"), "no internals leak: {body}");

    // An unknown state names the column, the row and the accepted values.
    email::Entity::update_many()
        .col_expr(email::Column::Recipients, Expr::value(serde_json::json!(["a@example.com"])))
        .col_expr(email::Column::State, Expr::value("sending"))
        .filter(email::Column::Id.eq(id))
        .exec(db)
        .await
        .unwrap();
    let message = email::Entity::find_by_id(id).one(db).await.expect_err("unknown state").to_string();
    assert!(message.contains("emails.state") && message.contains(&id.to_string()), "{message}");
    assert!(message.contains("`sending` is not one of pending, retrying, sent, outbox, dead"), "{message}");

    // Conditions that do not read must not become "no conditions" (firing after every call).
    app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk"})).await;
    let (status, n) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/notifications",
            &json!({
                "name": "Big orders",
                "trigger": {"always": true},
                "conditions": [{"kind": "field", "field": "order_total", "op": ">", "value": "100"}],
                "email": {"subject": "s", "body": "b"}
            }),
        )
        .await;
    assert_eq!(status, 201, "{n}");
    let nid: uuid::Uuid = n["id"].as_str().unwrap().parse().unwrap();
    notification::Entity::update_many()
        .col_expr(notification::Column::Conditions, Expr::value(json!([{"kind": "no-such-condition"}])))
        .filter(notification::Column::Id.eq(nid))
        .exec(db)
        .await
        .unwrap();
    let message = notification::Entity::find_by_id(nid).one(db).await.expect_err("corrupt conditions").to_string();
    assert!(message.contains("notifications.conditions") && message.contains(&nid.to_string()), "{message}");
    let (status, body) = app.api_get(&t.api_key, &format!("/api/v1/notifications/{nid}")).await;
    assert_eq!(status, 500, "{body}");
});

//! Extractor tests on phrases from the development set.

use super::*;
use crate::analysis::{AnalysisRequest, CallFacts};
use crate::calls::event::Turn;

fn doc(turns: &[(&str, &str)]) -> Doc {
    let transcript = turns
        .iter()
        .map(|(r, t)| Turn {
            role: if *r == "a" { Speaker::Agent } else { Speaker::User },
            text: (*t).to_owned(),
            start_s: None,
            end_s: None,
        })
        .collect();
    Doc::new(&AnalysisRequest {
        transcript,
        started_at: chrono::DateTime::parse_from_rfc3339("2019-03-01T15:34:00Z")
            .ok()
            .map(|d| d.with_timezone(&chrono::Utc)),
        timezone: "UTC".into(),
        call: CallFacts { phone_country: Some("1".into()), ..Default::default() },
        ..Default::default()
    })
}

fn value(d: &Doc, name: &str, kind: FieldType, description: &str) -> Json {
    extract(d, &FieldSpec::new(name, kind, description, vec![])).value
}

fn restaurant() -> Doc {
    doc(&[
        ("u", "I want to make a dinner reservation on March 5th."),
        ("a", "What area are you looking in? What time do you want the reservation for?"),
        ("u", "I want a restaurant in San Jose, for 18:30, please."),
        ("a", "Which restaurant do you want to book a table at?"),
        ("u", "Can you get me a table at Ludwig's German Table?"),
        ("a", "So you want a table for 2 people next Tuesday at 6:30 pm at Ludwig's German Table in San Jose?"),
        ("u", "Yes, that's right."),
        ("a", "Your table has been reserved."),
    ])
}

#[test]
fn a_restaurant_booking_yields_its_slots() {
    let d = restaurant();
    assert_eq!(
        value(&d, "date", FieldType::String, "Tentative date of restaurant reservation (ISO date YYYY-MM-DD)"),
        Json::from("2019-03-05")
    );
    assert_eq!(
        value(&d, "time", FieldType::String, "Tentative time of restaurant reservation (24h HH:MM)"),
        Json::from("18:30")
    );
    assert_eq!(
        value(&d, "number_of_seats", FieldType::Number, "Number of seats to reserve at the restaurant"),
        serde_json::json!(2)
    );
    assert_eq!(
        value(&d, "restaurant_name", FieldType::String, "Name of the restaurant"),
        Json::from("Ludwig's German Table")
    );
    assert_eq!(
        value(&d, "location", FieldType::String, "City where the restaurant is located"),
        Json::from("San Jose")
    );
}

#[test]
fn names_emails_phones_and_ids_come_from_the_customer() {
    let d = doc(&[
        ("a", "sure, may I have your name please?"),
        ("u", "Crystal Minh"),
        ("a", "ok, may I have your username, email address and order ID please?"),
        ("u", "cminh730@email.com"),
        ("u", "Order ID: 3348917502"),
        ("a", "I'd just need your phone number."),
        ("u", "(977) 625-2661"),
    ]);
    assert_eq!(value(&d, "customer_name", FieldType::String, "Customer's full name."), Json::from("Crystal Minh"));
    assert_eq!(
        value(&d, "customer_email", FieldType::String, "Customer's email address if given."),
        Json::from("cminh730@email.com")
    );
    assert_eq!(
        value(&d, "order_id", FieldType::String, "Order ID mentioned by the customer."),
        Json::from("3348917502")
    );
    assert_eq!(
        value(&d, "callback_number", FieldType::String, "Phone number the customer gave for a callback."),
        Json::from("+19776252661")
    );
}

#[test]
fn spoken_lower_case_names_and_amounts_are_read() {
    let d = doc(&[
        ("a", "hello this is harper valley national bank my name is linda how can i help you today"),
        ("u", "hi my name is robert johnson i would like to transfer money between my accounts"),
        ("a", "how much would you like to transfer"),
        ("u", "one hundred and thirty five dollars from savings to checking"),
    ]);
    assert_eq!(
        value(&d, "customer_name", FieldType::String, "Caller's first and last name."),
        Json::from("Robert Johnson")
    );
    assert_eq!(value(&d, "transfer_amount", FieldType::Number, "transfer amount"), serde_json::json!(135));
}

#[test]
fn free_text_is_the_answer_to_the_question_about_it() {
    let d = doc(&[
        ("a", "Could you describe your symptoms, please?"),
        ("u", "I have had a headache, dizziness and muscle weakness for two days now."),
        ("a", "Alright, Dr. Johnson is available at 8 pm."),
    ]);
    let v = value(&d, "symptoms", FieldType::String, "Symptoms (doctor_schedule)");
    assert_eq!(v, Json::from("I have had a headache, dizziness and muscle weakness for two days now"));
}

#[test]
fn booleans_are_the_answer_to_a_yes_no_question() {
    let d = doc(&[("a", "Would you like to add insurance?"), ("u", "No, thank you.")]);
    assert_eq!(value(&d, "add_insurance", FieldType::Boolean, "Whether to purchase insurance"), Json::Bool(false));
    let d = doc(&[("a", "Do you need parking?"), ("u", "Yes please, for two cars.")]);
    assert_eq!(value(&d, "need_parking", FieldType::Boolean, "Need Parking"), Json::Bool(true));
}

#[test]
fn ordered_items_and_identifiers_are_read() {
    let d = doc(&[("u", "Hi, I want two Matcha Lattes please.")]);
    assert_eq!(
        value(&d, "order_items", FieldType::String, "Drinks ordered, comma-separated menu item names."),
        Json::from("Matcha Latte")
    );
    let d =
        doc(&[("u", "Hi, so I would like a, lets see now, I would like a Macchiato. Yes, a Macchiato to go please.")]);
    assert_eq!(
        value(&d, "order_items", FieldType::String, "Drinks ordered, comma-separated menu item names."),
        Json::from("Macchiato")
    );
    let d = doc(&[
        ("a", "Can you tell me your account number, please?"),
        ("u", "Someone took $500 from my account. It's 68318931"),
    ]);
    assert_eq!(
        value(&d, "account_number", FieldType::String, "Account Number (bank_fraud_report)"),
        Json::from("68318931")
    );
    let d = doc(&[("a", "Right, and your PIN as well please."), ("u", "My PIN is 7402.")]);
    assert_eq!(value(&d, "pin", FieldType::String, "PIN (bank_fraud_report)"), Json::from("7402"));
    let d = doc(&[("a", "What room are you in?"), ("u", "Sure. We are in room 351.")]);
    assert_eq!(
        value(&d, "room_number", FieldType::Number, "Room Number (hotel_service_request)"),
        serde_json::json!(351)
    );
}

#[test]
fn places_and_weekdays_are_read() {
    let d = doc(&[("u", "I'm traveling from Paris to San Francisco.")]);
    assert_eq!(
        value(&d, "origin_city", FieldType::String, "City in which the journey originates"),
        Json::from("Paris")
    );
    assert_eq!(
        value(&d, "destination_city", FieldType::String, "City in which the journey ends"),
        Json::from("San Francisco")
    );
    let d = doc(&[("a", "what day would you like for your appointment"), ("u", "monday")]);
    assert_eq!(value(&d, "appointment_day", FieldType::String, "day"), Json::from("Monday"));
}

#[test]
fn range_fields_take_their_end_of_a_range() {
    let d = doc(&[("u", "I need a car from March 4th until March 9th.")]);
    assert_eq!(value(&d, "pickup_date", FieldType::String, "Date of rental car pickup"), Json::from("2019-03-04"));
    assert_eq!(value(&d, "dropoff_date", FieldType::String, "Date of rental car drop-off"), Json::from("2019-03-09"));
}

#[test]
fn a_date_and_time_field_joins_the_day_and_the_hour() {
    let d = doc(&[
        ("a", "Hello, how can I help?"),
        ("u", "I'm driving, could you call me back tomorrow at 3pm?"),
        ("a", "Sure, we will call you tomorrow at 3 pm."),
    ]);
    let description = "When to call the customer back: date and time (ISO 8601)";
    assert_eq!(value(&d, "callback_time", FieldType::String, description), Json::from("2019-03-02T15:00"));
    let only_time = doc(&[("a", "When should we call?"), ("u", "Call me at 5:30 pm please.")]);
    assert_eq!(value(&only_time, "callback_time", FieldType::String, description), Json::from("2019-03-01T17:30"));
}

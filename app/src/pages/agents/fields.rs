//! The agent's Fields tab: the extraction fields, each editable in place, and a form to add one.

#[allow(unused_imports)]
use super::*;

#[component]
pub(crate) fn FieldsTab(agent_id: String) -> impl IntoView {
    let save = ServerAction::<SaveField>::new();
    let delete = ServerAction::<DeleteField>::new();
    let id = agent_id.clone();
    let fields =
        Resource::new(move || (id.clone(), save.version().get(), delete.version().get()), |(id, _, _)| list_fields(id));
    let agent = StoredValue::new(agent_id);
    view! {
        <p class="muted">"The analyzer extracts these from every call of this agent; use them in templates as "
            <code>"{{ dyn_<name> }}"</code> ". A " <code>"{{ dyn_<name> }}"</code> " used in a template without a field here is extracted as text."</p>
        <FormResult action=save ok="Field saved." />
        <FormResult action=delete />
        <LoadedForViewer resource=fields view=move |list, admin| match list {
            list if list.is_empty() => view! { <p class="muted" data-testid="fields-empty">"No fields yet."</p> }.into_any(),
            list => view! {
                <table class="list" data-testid="fields">
                    <thead><tr><th>"Name"</th><th>"Type"</th><th>"Description"</th><th>"Options"</th><th></th></tr></thead>
                    <tbody>
                        {list.into_iter().map(|f| view! { <FieldRow field=f agent_id=agent.get_value() admin=admin save=save delete=delete /> }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        } />
        <h2>"Add a field"</h2>
        <ActionForm action=save attr:class="form" attr:data-testid="field-form">
            <input type="hidden" name="agent_id" value=agent.get_value() />
            <FieldInputs field=None />
            <button type="submit" class="primary">"Add field"</button>
        </ActionForm>
    }
}

#[component]
pub(crate) fn FieldInputs(field: Option<FieldItem>) -> impl IntoView {
    let f = field.unwrap_or(FieldItem {
        id: String::new(),
        name: String::new(),
        kind: "string".into(),
        description: String::new(),
        options: Vec::new(),
    });
    let kinds = [("string", "Text"), ("number", "Number"), ("boolean", "Yes / no"), ("enum", "One of a list")];
    view! {
        <input type="hidden" name="id" value=f.id.clone() />
        <label>"Name (a-z, 0-9, _)" <input type="text" name="name" required maxlength="64" pattern="[a-z][a-z0-9_]*" value=f.name.clone() placeholder="order_id" /></label>
        <label>"Type"
            <select name="kind">
                {kinds.into_iter().map(|(v, l)| view! { <option value=v selected=f.kind == v>{l}</option> }).collect_view()}
            </select>
        </label>
        <label>"Description (what the analyzer should look for)" <input type="text" name="description" maxlength="500" value=f.description.clone() placeholder="The order number the customer mentions" /></label>
        <label>"Options (for a list; separated by commas)" <input type="text" name="options" value=f.options.join(", ") /></label>
    }
}

#[component]
pub(crate) fn FieldRow(
    field: FieldItem,
    agent_id: String,
    /// Whether the viewer may change configuration.
    admin: bool,
    save: ServerAction<SaveField>,
    delete: ServerAction<DeleteField>,
) -> impl IntoView {
    let field_id = field.id.clone();
    let edit = field.clone();
    view! {
        <tr>
            <td><code>{format!("dyn_{}", field.name)}</code></td>
            <td><Badge text=field.kind.clone() /></td>
            <td>{field.description.clone()}</td>
            <td>{field.options.join(", ")}</td>
            <td>
                {admin.then(|| view! {
                    <details>
                        <summary>"Edit"</summary>
                        <ActionForm action=save attr:class="form">
                            <input type="hidden" name="agent_id" value=agent_id.clone() />
                            <FieldInputs field=Some(edit.clone()) />
                            <button type="submit">"Save"</button>
                        </ActionForm>
                    </details>
                    <ActionForm action=delete attr:class="inline">
                        <input type="hidden" name="id" value=field_id.clone() />
                        <button type="submit" class="danger">"Delete"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

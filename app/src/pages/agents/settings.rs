//! The agent's Settings tab: name, time zone, language and goal.

#[allow(unused_imports)]
use super::*;

#[component]
pub(crate) fn AgentSettings(agent: AgentItem, update: ServerAction<UpdateAgent>, admin: bool) -> impl IntoView {
    view! {
        <ActionForm action=update attr:class="form" attr:data-testid="agent-settings">
            <FormResult action=update ok="Saved." />
            <fieldset disabled=!admin>
                <input type="hidden" name="id" value=agent.id.clone() />
                <label>"Name" <input type="text" name="name" required maxlength="120" value=agent.name.clone() /></label>
                <label>"External id" <input type="text" name="external_id" required maxlength="200" value=agent.external_id.clone() /></label>
                <label>"Time zone (IANA, e.g. Europe/Berlin)" <input type="text" name="timezone" value=agent.timezone.clone() /></label>
                <label>"Language" <input type="text" name="language" value=agent.language.clone() /></label>
                <label>"Goal (judged for every call as success, failure or unknown)"
                    <input type="text" name="goal" maxlength="500" value=agent.goal.clone().unwrap_or_default() placeholder="Did the caller book an appointment?" />
                </label>
                <button type="submit" class="primary">"Save agent"</button>
            </fieldset>
        </ActionForm>
    }
}

//! `/team` (members, roles, invitations) and `/invite/:token` (accepting an invitation).

use leptos::prelude::*;
use leptos_meta::Title;

use super::{path_param, query_param};
use crate::api::team::{
    InviteMember, InviteResult, RemoveMember, RevokeInvitation, SetMemberRole, get_invitation, get_team,
};
use crate::components::{Badge, FormResult, Loaded, confirm_first};

/// The team page.
#[component]
pub fn TeamPage() -> impl IntoView {
    let invite = ServerAction::<InviteMember>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let set_role = ServerAction::<SetMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let team = Resource::new(
        move || (invite.version().get(), revoke.version().get(), set_role.version().get(), remove.version().get()),
        |_| get_team(),
    );
    view! {
        <Title text="Team" />
        <h1>"Team"</h1>
        <p class="muted">"Owners and admins configure agents, notifications, keys and the team; members read conversations and work their alerts and tasks."</p>
        <FormResult action=set_role />
        <FormResult action=remove />
        <FormResult action=revoke />
        <Loaded resource=team view=move |t| {
            let admin = t.can_configure;
            view! {
                <section class="card">
                    <table class="list" data-testid="members">
                        <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th></th></tr></thead>
                        <tbody>
                            {t.members.into_iter().map(|m| {
                                let editable = admin && m.role != "owner";
                                let (id_role, id_remove) = (m.user_id.clone(), m.user_id.clone());
                                let other = if m.role == "admin" { "member" } else { "admin" };
                                let label = if m.role == "admin" { "Make member" } else { "Make admin" };
                                view! {
                                    <tr>
                                        <td>{m.name.clone()} {m.is_me.then(|| view! { <span class="muted">" (you)"</span> })}</td>
                                        <td>{m.email.clone()}</td>
                                        <td><Badge text=m.role.clone() /></td>
                                        <td>
                                            {editable.then(|| view! {
                                                <ActionForm action=set_role attr:class="inline">
                                                    <input type="hidden" name="user_id" value=id_role />
                                                    <input type="hidden" name="role" value=other />
                                                    <button type="submit" class="link">{label}</button>
                                                </ActionForm>
                                                " · "
                                                <ActionForm action=remove attr:class="inline">
                                                    <input type="hidden" name="user_id" value=id_remove />
                                                    <button type="submit" class="link danger" on:click=confirm_first("Remove this member from the account?")>"Remove"</button>
                                                </ActionForm>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
                {admin.then(|| view! {
                    <section class="card">
                        <h2>"Invite someone"</h2>
                        <ActionForm action=invite attr:class="form inline-form" attr:data-testid="invite-form">
                            <fieldset>
                                <label>"Email" <input type="email" name="email" required /></label>
                                <label>"Role"
                                    <select name="role">
                                        <option value="member" selected=true>"Member"</option>
                                        <option value="admin">"Admin"</option>
                                    </select>
                                </label>
                                <button type="submit" class="primary">"Send invitation"</button>
                            </fieldset>
                        </ActionForm>
                        {move || match invite.value().get() {
                            Some(Ok(InviteResult { email, link: Some(link) })) => view! {
                                <div class="new-key" data-testid="invitation-link">
                                    <p>"No SMTP server is configured, so nothing can email the invitation to " {email} ". Send them this link yourself; it works once, for 7 days, and is not shown again:"</p>
                                    <code>{link}</code>
                                </div>
                            }.into_any(),
                            Some(Ok(InviteResult { email, link: None })) => view! {
                                <p class="form-ok" data-testid="invitation-sent">"Invitation emailed to " {email} ". The link works once, for 7 days; only they receive it."</p>
                            }.into_any(),
                            Some(Err(e)) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                            None => ().into_any(),
                        }}
                        {(!t.invitations.is_empty()).then(|| view! {
                            <h2>"Pending invitations"</h2>
                            <ul class="plain" data-testid="invitations">
                                {t.invitations.into_iter().map(|i| view! {
                                    <li>{i.email.clone()} " " <Badge text=i.role.clone() /> <span class="muted">" expires " {i.expires.clone()}</span> " "
                                        <ActionForm action=revoke attr:class="inline">
                                            <input type="hidden" name="id" value=i.id.clone() />
                                            <button type="submit" class="link">"Revoke"</button>
                                        </ActionForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        })}
                    </section>
                })}
            }.into_any()
        } />
    }
}

/// `/invite/:token`: shows the invitation and lets the invitee set a password (or confirm
/// their existing one) to join.
#[component]
pub fn InvitePage() -> impl IntoView {
    let token = path_param("token");
    let error = query_param("error");
    let info = Resource::new(move || token.get(), get_invitation);
    view! {
        <Title text="Join" />
        <main class="auth">
            <h1 class="brand-big">"Aftercall"</h1>
            <Loaded resource=info view=move |i| view! {
                <form method="post" action="/api/accept_invitation" class="card form" data-testid="accept-form">
                    <h2>"Join " {i.account_name.clone()}</h2>
                    <p class="muted">"You were invited as " {i.role.clone()} " with " <strong>{i.email.clone()}</strong> ". The invitation expires " {i.expires.clone()} "."</p>
                    {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                    <input type="hidden" name="token" value=token.get_untracked() />
                    {if i.existing_user {
                        view! {
                            <p>"You already have an Aftercall user: confirm with its password."</p>
                            <label>"Password" <input type="password" name="password" required autocomplete="current-password" /></label>
                        }.into_any()
                    } else {
                        view! {
                            <label>"Your name" <input type="text" name="name" required maxlength="120" autocomplete="name" /></label>
                            <label>"Choose a password (8 characters or more)" <input type="password" name="password" required minlength="8" autocomplete="new-password" /></label>
                        }.into_any()
                    }}
                    <button type="submit" class="primary">"Join the team"</button>
                </form>
            }.into_any()
            />
        </main>
    }
}

//! Table and column names used by the migrations, independent of the backend entities.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
pub enum Accounts {
    Table,
    Id,
    Name,
    AutoCreateAgents,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Memberships {
    Table,
    Id,
    AccountId,
    UserId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Sessions {
    Table,
    Id,
    Data,
    ExpiresAt,
}

#[derive(DeriveIden)]
pub enum ApiKeys {
    Table,
    Id,
    AccountId,
    Name,
    Prefix,
    KeyHash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
pub enum Agents {
    Table,
    Id,
    AccountId,
    ExternalId,
    Name,
    Timezone,
    Language,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Notifications {
    Table,
    Id,
    AccountId,
    AgentId,
    Name,
    Enabled,
    TriggerAlways,
    TriggerCondition,
    Recipients,
    EmailSubject,
    EmailBody,
    TeamAlert,
    AlertUserIds,
    TaskPriority,
    Position,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Conversations {
    Table,
    Id,
    AccountId,
    AgentId,
    CallId,
    Status,
    Direction,
    Channel,
    StartedAt,
    EndedAt,
    DurationS,
    EndReason,
    EndReasonRaw,
    FromNumber,
    ToNumber,
    CustomerName,
    CustomerEmail,
    DynamicVariables,
    Transcript,
    TurnCount,
    ReceivedAt,
}

#[derive(DeriveIden)]
pub enum Analyses {
    Table,
    Id,
    AccountId,
    ConversationId,
    Status,
    Analyzer,
    Summary,
    Result,
    Error,
    LatencyMs,
    PromptTokens,
    CompletionTokens,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum NotificationRuns {
    Table,
    Id,
    AccountId,
    ConversationId,
    NotificationId,
    NotificationName,
    Fired,
    Reason,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Alerts {
    Table,
    Id,
    AccountId,
    UserId,
    ConversationId,
    NotificationRunId,
    Title,
    Body,
    Link,
    ReadAt,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Tasks {
    Table,
    Id,
    AccountId,
    ConversationId,
    NotificationRunId,
    Title,
    Description,
    Priority,
    Status,
    AssigneeUserId,
    DueAt,
    CreatedAt,
    CompletedAt,
}

#[derive(DeriveIden)]
pub enum Jobs {
    Table,
    Id,
    AccountId,
    Kind,
    Payload,
    State,
    Attempts,
    MaxAttempts,
    RunAt,
    LockedUntil,
    LastError,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Emails {
    Table,
    Id,
    AccountId,
    ConversationId,
    NotificationRunId,
    Recipients,
    SubjectTemplate,
    BodyTemplate,
    Subject,
    TextBody,
    HtmlBody,
    State,
    Attempts,
    LastError,
    MessageId,
    SentAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum ExtractionFields {
    Table,
    Id,
    AccountId,
    AgentId,
    Name,
    FieldType,
    Description,
    Options,
    Position,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum AnalyzerSettings {
    Table,
    AccountId,
    Provider,
    BaseUrl,
    Model,
    ApiKey,
    TimeoutSecs,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum AgentsGoal {
    #[sea_orm(iden = "goal")]
    Goal,
}

#[derive(DeriveIden)]
pub enum AnalysesGoal {
    #[sea_orm(iden = "goal_result")]
    GoalResult,
    #[sea_orm(iden = "reanalysed_at")]
    ReanalysedAt,
}

#[derive(DeriveIden)]
pub enum NotificationsV2 {
    #[sea_orm(iden = "conditions")]
    Conditions,
    #[sea_orm(iden = "version")]
    Version,
    #[sea_orm(iden = "draft")]
    Draft,
    #[sea_orm(iden = "task_assignee_user_id")]
    TaskAssigneeUserId,
    #[sea_orm(iden = "task_due_hours")]
    TaskDueHours,
}

#[derive(DeriveIden)]
pub enum NotificationVersions {
    Table,
    Id,
    AccountId,
    NotificationId,
    Version,
    Settings,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum NotificationRunsV2 {
    #[sea_orm(iden = "notification_version")]
    NotificationVersion,
    #[sea_orm(iden = "stopped_by")]
    StoppedBy,
}

#[derive(DeriveIden)]
pub enum Invitations {
    Table,
    Id,
    AccountId,
    Email,
    Role,
    TokenHash,
    InvitedBy,
    ExpiresAt,
    AcceptedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum PushSubscriptions {
    Table,
    Id,
    AccountId,
    UserId,
    Endpoint,
    P256dh,
    Auth,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum InstallationSettings {
    Table,
    Key,
    Value,
}

#[derive(DeriveIden)]
pub enum PostCallActions {
    Table,
    Id,
    AccountId,
    AgentId,
    Kind,
    Name,
    Enabled,
    Url,
    Format,
    MessageTemplate,
    IncludeTranscript,
    Secret,
    PreviousSecret,
    PreviousSecretExpiresAt,
    Condition,
    TimeField,
    FallbackDelayMinutes,
    FailingSince,
    DisabledReason,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum WebhookDeliveries {
    Table,
    Id,
    AccountId,
    ActionId,
    ActionName,
    Url,
    Format,
    ConversationId,
    EventType,
    WebhookId,
    Payload,
    State,
    Attempts,
    LastStatus,
    LastError,
    JobId,
    Test,
    DeliveredAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum DeliveryAttempts {
    Table,
    Id,
    AccountId,
    EmailId,
    WebhookDeliveryId,
    Attempt,
    Outcome,
    StatusCode,
    Request,
    Response,
    Error,
    DurationMs,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum ScheduledCalls {
    Table,
    Id,
    AccountId,
    ConversationId,
    ActionId,
    DueAt,
    State,
    Source,
    JobId,
    WebhookDeliveryId,
    CancelledBy,
    CreatedAt,
    UpdatedAt,
}

/// Columns added by the delivery migration.
#[derive(DeriveIden)]
pub enum DeliveryColumns {
    #[sea_orm(iden = "conversation_id")]
    ConversationId,
    #[sea_orm(iden = "job_id")]
    JobId,
    #[sea_orm(iden = "inbound_signing_secret")]
    InboundSigningSecret,
}

/// Columns added by the trust migration.
#[derive(DeriveIden)]
pub enum TrustColumns {
    #[sea_orm(iden = "email_verified_at")]
    EmailVerifiedAt,
    #[sea_orm(iden = "sessions_valid_after")]
    SessionsValidAfter,
    #[sea_orm(iden = "last_used_at")]
    LastUsedAt,
    #[sea_orm(iden = "kind")]
    Kind,
    #[sea_orm(iden = "sealed_body")]
    SealedBody,
}

#[derive(DeriveIden)]
pub enum AccountTokens {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    NewEmail,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum AuditEntries {
    Table,
    Id,
    AccountId,
    ActorUserId,
    ActorApiKeyId,
    Action,
    TargetType,
    TargetId,
    Detail,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Integrations {
    Table,
    Id,
    AccountId,
    Platform,
    IntakeToken,
    Secret,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum IntegrationColumns {
    #[sea_orm(iden = "platform_analysis")]
    PlatformAnalysis,
}

#[derive(DeriveIden)]
pub enum RequestColumns {
    #[sea_orm(iden = "method")]
    Method,
    #[sea_orm(iden = "request")]
    Request,
    #[sea_orm(iden = "body_template")]
    BodyTemplate,
    #[sea_orm(iden = "sign")]
    Sign,
}

#[derive(DeriveIden)]
pub enum PostCallActionVersions {
    Table,
    Id,
    AccountId,
    ActionId,
    Version,
    Settings,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum ActionVersionColumns {
    #[sea_orm(iden = "version")]
    Version,
    #[sea_orm(iden = "draft")]
    Draft,
    #[sea_orm(iden = "action_version")]
    ActionVersion,
}

#[derive(DeriveIden)]
pub enum Digests {
    Table,
    Id,
    AccountId,
    NotificationId,
    PeriodStart,
    PeriodEnd,
    EmailId,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum DigestColumns {
    #[sea_orm(iden = "digest")]
    Digest,
}

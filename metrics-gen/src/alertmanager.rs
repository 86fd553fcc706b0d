//! `docs/alertmanager.yml`: an Alertmanager configuration (how the alerts of the rules are
//! grouped, routed and sent), valid for `amtool check-config`.
//!
//! The model covers the common part of Alertmanager's configuration: the global SMTP settings,
//! a routing tree, and receivers that send to webhooks, Slack, PagerDuty and e-mail.
//!
//! ```
//! use promdecl_gen::alertmanager::{self, Alertmanager, Email, Receiver, Route, Slack};
//!
//! let config = Alertmanager::new(
//!     Route::new("team")
//!         .group_by(["alertname"])
//!         .group_wait("10s")
//!         .route(Route::new("chat").matcher(r#"severity="warning""#)),
//! )
//! .smtp("smtp.example.com:587", "alerts@example.com")
//! .receiver(Receiver::new("team").email(Email::new("team@example.com")))
//! .receiver(Receiver::new("chat").slack(Slack::new("https://hooks.slack.com/services/X").channel("#alerts")));
//! let yaml = alertmanager::config(&config);
//! assert!(yaml.contains("route:\n  receiver: team\n  group_by:\n  - alertname\n  group_wait: 10s\n"));
//! assert!(yaml.contains("  routes:\n  - receiver: chat\n    matchers:\n    - severity=\"warning\"\n"));
//! assert!(yaml.contains("- name: chat\n  slack_configs:\n  - api_url: https://hooks.slack.com/services/X\n    channel: '#alerts'\n"));
//! ```

use serde_yaml::Value;

use crate::layout;
use crate::yaml::Fields;

/// The `send_resolved` setter every notification has, documented with `$doc`.
macro_rules! send_resolved_setter {
    ($doc:literal) => {
        #[doc = $doc]
        pub fn send_resolved(mut self, send: bool) -> Self {
            self.send_resolved = Some(send);
            self
        }
    };
}

/// A whole Alertmanager configuration: global settings, the routing tree and the receivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alertmanager {
    /// `global.smtp_smarthost`: the SMTP server (`host:port`) e-mail receivers send through.
    pub smtp_smarthost: Option<String>,
    /// `global.smtp_from`: the sender address of e-mail notifications.
    pub smtp_from: Option<String>,
    /// The root of the routing tree; every alert enters here.
    pub route: Route,
    /// The receivers, each named by [`Receiver::name`]; every receiver a route names must be
    /// here.
    pub receivers: Vec<Receiver>,
}

impl Alertmanager {
    /// A configuration routing every alert by `route`, with no receivers yet.
    pub fn new(route: Route) -> Self {
        Self {
            smtp_smarthost: None,
            smtp_from: None,
            route,
            receivers: Vec::new(),
        }
    }

    /// Sets the global SMTP server (`host:port`) and sender address.
    pub fn smtp(mut self, smarthost: impl Into<String>, from: impl Into<String>) -> Self {
        self.smtp_smarthost = Some(smarthost.into());
        self.smtp_from = Some(from.into());
        self
    }

    /// Adds a receiver.
    pub fn receiver(mut self, receiver: Receiver) -> Self {
        self.receivers.push(receiver);
        self
    }
}

/// A node of the routing tree: alerts matching it are grouped and sent to its receiver, unless
/// a child route matches them first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The receiver notified (a [`Receiver::name`]).
    pub receiver: String,
    /// Labels alerts are grouped by into one notification.
    pub group_by: Vec<String>,
    /// How long to wait to send the first notification of a new group.
    pub group_wait: Option<String>,
    /// How long to wait to notify of alerts added to a group already notified.
    pub group_interval: Option<String>,
    /// How long to wait to send a notification again.
    pub repeat_interval: Option<String>,
    /// Label matchers (`severity="critical"`) an alert must satisfy for this route; the root
    /// route has none.
    pub matchers: Vec<String>,
    /// Whether alerts matching this route go on to its later siblings.
    pub continue_: bool,
    /// Child routes, tried in order.
    pub routes: Vec<Route>,
}

impl Route {
    /// A route to `receiver`, inheriting everything else.
    pub fn new(receiver: impl Into<String>) -> Self {
        Self {
            receiver: receiver.into(),
            group_by: Vec::new(),
            group_wait: None,
            group_interval: None,
            repeat_interval: None,
            matchers: Vec::new(),
            continue_: false,
            routes: Vec::new(),
        }
    }

    /// Sets the labels alerts are grouped by.
    pub fn group_by<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> Self {
        self.group_by = labels.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `group_wait` (`10s`).
    pub fn group_wait(mut self, wait: impl Into<String>) -> Self {
        self.group_wait = Some(wait.into());
        self
    }

    /// Sets `group_interval` (`10s`).
    pub fn group_interval(mut self, interval: impl Into<String>) -> Self {
        self.group_interval = Some(interval.into());
        self
    }

    /// Sets `repeat_interval` (`1h`).
    pub fn repeat_interval(mut self, interval: impl Into<String>) -> Self {
        self.repeat_interval = Some(interval.into());
        self
    }

    /// Adds a label matcher (`severity="critical"`).
    pub fn matcher(mut self, matcher: impl Into<String>) -> Self {
        self.matchers.push(matcher.into());
        self
    }

    /// Lets alerts matching this route go on to its later siblings.
    pub fn continue_(mut self) -> Self {
        self.continue_ = true;
        self
    }

    /// Adds a child route.
    pub fn route(mut self, route: Route) -> Self {
        self.routes.push(route);
        self
    }

    fn to_yaml(&self) -> Value {
        Fields::new()
            .set("receiver", self.receiver.as_str())
            .strings("group_by", &self.group_by)
            .opt("group_wait", self.group_wait.as_deref())
            .opt("group_interval", self.group_interval.as_deref())
            .opt("repeat_interval", self.repeat_interval.as_deref())
            .strings("matchers", &self.matchers)
            .opt("continue", self.continue_.then_some(true))
            .seq("routes", self.routes.iter().map(Route::to_yaml))
            .value()
    }
}

/// A named set of notification integrations; routes name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receiver {
    /// The name routes refer to.
    pub name: String,
    /// Webhooks posted to.
    pub webhooks: Vec<Webhook>,
    /// Slack channels posted to.
    pub slack: Vec<Slack>,
    /// PagerDuty services triggered.
    pub pagerduty: Vec<PagerDuty>,
    /// E-mail recipients.
    pub email: Vec<Email>,
}

impl Receiver {
    /// A receiver named `name` that notifies nobody yet (a valid "blackhole").
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            webhooks: Vec::new(),
            slack: Vec::new(),
            pagerduty: Vec::new(),
            email: Vec::new(),
        }
    }

    /// Adds a webhook.
    pub fn webhook(mut self, webhook: Webhook) -> Self {
        self.webhooks.push(webhook);
        self
    }

    /// Adds a Slack channel.
    pub fn slack(mut self, slack: Slack) -> Self {
        self.slack.push(slack);
        self
    }

    /// Adds a PagerDuty service.
    pub fn pagerduty(mut self, pagerduty: PagerDuty) -> Self {
        self.pagerduty.push(pagerduty);
        self
    }

    /// Adds an e-mail recipient.
    pub fn email(mut self, email: Email) -> Self {
        self.email.push(email);
        self
    }

    fn to_yaml(&self) -> Value {
        Fields::new()
            .set("name", self.name.as_str())
            .seq(
                "webhook_configs",
                self.webhooks.iter().map(Webhook::to_yaml),
            )
            .seq("slack_configs", self.slack.iter().map(Slack::to_yaml))
            .seq(
                "pagerduty_configs",
                self.pagerduty.iter().map(PagerDuty::to_yaml),
            )
            .seq("email_configs", self.email.iter().map(Email::to_yaml))
            .value()
    }
}

/// A webhook notification: Alertmanager posts its JSON payload to `url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// The URL posted to.
    pub url: String,
    /// Whether resolved alerts are posted too; Alertmanager's default (true) when `None`.
    pub send_resolved: Option<bool>,
}

impl Webhook {
    /// A webhook posting to `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            send_resolved: None,
        }
    }

    send_resolved_setter!("Sets whether resolved alerts are posted too.");

    fn to_yaml(&self) -> Value {
        Fields::new()
            .set("url", self.url.as_str())
            .opt("send_resolved", self.send_resolved)
            .value()
    }
}

/// A Slack notification through an incoming webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slack {
    /// The incoming webhook URL.
    pub api_url: String,
    /// The channel or user (`#alerts`); the webhook's own when `None`.
    pub channel: Option<String>,
    /// The message title (a Go template); Alertmanager's default when `None`.
    pub title: Option<String>,
    /// The message text (a Go template); Alertmanager's default when `None`.
    pub text: Option<String>,
    /// Whether resolved alerts are sent too; Alertmanager's default (false) when `None`.
    pub send_resolved: Option<bool>,
}

impl Slack {
    /// Posts to the Slack incoming webhook `api_url`.
    pub fn new(api_url: impl Into<String>) -> Self {
        Self {
            api_url: api_url.into(),
            channel: None,
            title: None,
            text: None,
            send_resolved: None,
        }
    }

    /// Sets the channel (`#alerts`).
    pub fn channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = Some(channel.into());
        self
    }

    /// Sets the title template.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the text template.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    send_resolved_setter!("Sets whether resolved alerts are sent too.");

    fn to_yaml(&self) -> Value {
        Fields::new()
            .set("api_url", self.api_url.as_str())
            .opt("channel", self.channel.as_deref())
            .opt("title", self.title.as_deref())
            .opt("text", self.text.as_deref())
            .opt("send_resolved", self.send_resolved)
            .value()
    }
}

/// Which PagerDuty API a [`PagerDuty`] notification uses, and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PagerDutyKey {
    /// The integration key of a "Prometheus" service (Events API v1): `service_key`.
    Service(String),
    /// The integration key of an Events API v2 integration: `routing_key`.
    Routing(String),
}

/// A PagerDuty notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagerDuty {
    /// The integration key and which API it is for.
    pub key: PagerDutyKey,
    /// The incident description (a Go template); Alertmanager's default when `None`.
    pub description: Option<String>,
    /// Whether resolved alerts resolve the incident; Alertmanager's default (true) when `None`.
    pub send_resolved: Option<bool>,
}

impl PagerDuty {
    /// Triggers the service whose (Events API v1) integration key is `key`.
    pub fn service_key(key: impl Into<String>) -> Self {
        Self::with_key(PagerDutyKey::Service(key.into()))
    }

    /// Triggers through the Events API v2 integration whose key is `key`.
    pub fn routing_key(key: impl Into<String>) -> Self {
        Self::with_key(PagerDutyKey::Routing(key.into()))
    }

    fn with_key(key: PagerDutyKey) -> Self {
        Self {
            key,
            description: None,
            send_resolved: None,
        }
    }

    /// Sets the description template.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    send_resolved_setter!("Sets whether resolved alerts resolve the incident.");

    fn to_yaml(&self) -> Value {
        let (key, value) = match &self.key {
            PagerDutyKey::Service(k) => ("service_key", k),
            PagerDutyKey::Routing(k) => ("routing_key", k),
        };
        Fields::new()
            .set(key, value.as_str())
            .opt("description", self.description.as_deref())
            .opt("send_resolved", self.send_resolved)
            .value()
    }
}

/// An e-mail notification, sent through the global SMTP server unless it names its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The recipient address.
    pub to: String,
    /// The sender address; the global `smtp_from` when `None`.
    pub from: Option<String>,
    /// The SMTP server (`host:port`); the global `smtp_smarthost` when `None`.
    pub smarthost: Option<String>,
    /// Whether resolved alerts are mailed too; Alertmanager's default (false) when `None`.
    pub send_resolved: Option<bool>,
}

impl Email {
    /// Mails `to`.
    pub fn new(to: impl Into<String>) -> Self {
        Self {
            to: to.into(),
            from: None,
            smarthost: None,
            send_resolved: None,
        }
    }

    /// Sets the sender address.
    pub fn from(mut self, from: impl Into<String>) -> Self {
        self.from = Some(from.into());
        self
    }

    /// Sets the SMTP server (`host:port`).
    pub fn smarthost(mut self, smarthost: impl Into<String>) -> Self {
        self.smarthost = Some(smarthost.into());
        self
    }

    send_resolved_setter!("Sets whether resolved alerts are mailed too.");

    fn to_yaml(&self) -> Value {
        Fields::new()
            .set("to", self.to.as_str())
            .opt("from", self.from.as_deref())
            .opt("smarthost", self.smarthost.as_deref())
            .opt("send_resolved", self.send_resolved)
            .value()
    }
}

/// The Alertmanager configuration file of `config` (`docs/alertmanager.yml`).
///
/// ```
/// use promdecl_gen::alertmanager::{self, Alertmanager, Receiver, Route, Webhook};
///
/// let config = Alertmanager::new(Route::new("web.hook").repeat_interval("1h"))
///     .receiver(Receiver::new("web.hook").webhook(Webhook::new("http://127.0.0.1:5001/").send_resolved(true)));
/// assert_eq!(
///     alertmanager::config(&config).lines().skip(1).collect::<Vec<_>>(),
///     [
///         "route:",
///         "  receiver: web.hook",
///         "  repeat_interval: 1h",
///         "receivers:",
///         "- name: web.hook",
///         "  webhook_configs:",
///         "  - url: http://127.0.0.1:5001/",
///         "    send_resolved: true",
///     ]
/// );
/// ```
pub fn config(config: &Alertmanager) -> String {
    let global = Fields::new()
        .opt("smtp_smarthost", config.smtp_smarthost.as_deref())
        .opt("smtp_from", config.smtp_from.as_deref());
    let receivers = config.receivers.iter().map(Receiver::to_yaml).collect();
    let yaml = Fields::new()
        .map("global", global)
        .set("route", config.route.to_yaml())
        .set("receivers", Value::Sequence(receivers))
        .value();
    let text = serde_yaml::to_string(&yaml).unwrap_or_default();
    format!("# {}\n{text}", layout::GENERATED)
}

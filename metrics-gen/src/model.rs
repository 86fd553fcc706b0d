//! What the generators read: the families of a project, grouped the way its authors choose.
//!
//! A [`Project`] has [`Group`]s (one Markdown page, rule file and dashboard each); a group has
//! [`Section`]s (one struct, or any set of families: a dashboard row, a Markdown section) and the
//! [`RuleGroup`]s that watch it.

use promdecl::{FamilyDesc, Metrics};

use crate::rules::RuleGroup;

/// Everything generated for one service or catalog.
#[derive(Debug, Clone)]
pub struct Project {
    /// Title of the index page.
    pub title: String,
    /// Prometheus job name of the scrape config; dashboards and rules may select it.
    pub job: String,
    /// Scrape targets (`host:port`) of the scrape config.
    pub targets: Vec<String>,
    /// Path of the exposition on the targets.
    pub metrics_path: String,
    /// How often Prometheus scrapes (`global.scrape_interval`); its default (1m) when `None`.
    pub scrape_interval: Option<String>,
    /// How often Prometheus evaluates rules (`global.evaluation_interval`); its default when
    /// `None`. A rule group's own interval overrides it.
    pub evaluation_interval: Option<String>,
    /// The groups, in order.
    pub groups: Vec<Group>,
}

impl Project {
    /// A project scraped as `job` at `/metrics`, with no targets and no groups yet.
    pub fn new(title: impl Into<String>, job: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            job: job.into(),
            targets: Vec::new(),
            metrics_path: "/metrics".into(),
            scrape_interval: None,
            evaluation_interval: None,
            groups: Vec::new(),
        }
    }

    /// Sets the global scrape interval of the scrape config (`15s`).
    pub fn scrape_interval(mut self, interval: impl Into<String>) -> Self {
        self.scrape_interval = Some(interval.into());
        self
    }

    /// Sets the global rule evaluation interval of the scrape config (`30s`).
    pub fn evaluation_interval(mut self, interval: impl Into<String>) -> Self {
        self.evaluation_interval = Some(interval.into());
        self
    }

    /// Adds a scrape target.
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.targets.push(target.into());
        self
    }

    /// Adds a group.
    pub fn group(mut self, group: Group) -> Self {
        self.groups.push(group);
        self
    }

    /// Every family of every group, in order.
    pub fn families(&self) -> impl Iterator<Item = &'static FamilyDesc> + '_ {
        self.groups.iter().flat_map(Group::families)
    }
}

/// A set of families documented, alerted on and charted together.
#[derive(Debug, Clone)]
pub struct Group {
    /// File-name stem: `docs/metrics/<name>.md`, `<name>.rules.yml`, `<name>.json`.
    pub name: String,
    /// Human title.
    pub title: String,
    /// Paragraphs shown under the title (where the declarations come from, conventions).
    pub intro: Option<String>,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// Alerting and recording rules that watch these families.
    pub rules: Vec<RuleGroup>,
}

impl Group {
    /// An empty group.
    pub fn new(name: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            title: title.into(),
            intro: None,
            sections: Vec::new(),
            rules: Vec::new(),
        }
    }

    /// Sets the intro text.
    pub fn intro(mut self, text: impl Into<String>) -> Self {
        self.intro = Some(text.into());
        self
    }

    /// Adds a section.
    pub fn section(mut self, section: Section) -> Self {
        self.sections.push(section);
        self
    }

    /// Adds a section holding the families of the struct `M`, titled `title`.
    pub fn metrics<M: Metrics>(self, title: impl Into<String>) -> Self {
        self.section(Section::of::<M>(title))
    }

    /// Adds a rule group.
    pub fn rules(mut self, rules: RuleGroup) -> Self {
        self.rules.push(rules);
        self
    }

    /// Every family of every section, in order.
    pub fn families(&self) -> impl Iterator<Item = &'static FamilyDesc> + '_ {
        self.sections
            .iter()
            .flat_map(|s| s.families.iter().copied())
    }
}

/// Families shown together: usually the families of one struct.
#[derive(Debug, Clone)]
pub struct Section {
    /// Section heading and dashboard row title.
    pub title: String,
    /// The families, in order.
    pub families: Vec<&'static FamilyDesc>,
}

impl Section {
    /// The families of the struct `M`, in declaration order.
    pub fn of<M: Metrics>(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            families: M::FAMILIES.iter().collect(),
        }
    }
}

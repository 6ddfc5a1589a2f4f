//! A lesson's [`Settings`] as the lab's [`LabSettings`] and back: the page's default cluster
//! changed by what the lesson gives; and the names and tables a lesson may refer to.

use super::format::{MultiLeaderSettings, ScriptAction, Scripted, ServerSetup, Settings};
use super::LessonError;
use crate::lab::{ClusterConfig, LabSettings, Method, MultiLeaderConfig};
use crate::replication::cluster;
use crate::replication::config::RowImage;
use crate::replication::config::ServerSpec;
use crate::sim::Time;

/// At most this many followers and clients (the diagram has room for them).
const MAX_FOLLOWERS: u32 = 6;
const MAX_CLIENTS: u32 = 4;

/// The cluster a multi-leader lesson describes.
fn multi_leader_cluster(
    settings: &Settings,
    multi: &MultiLeaderSettings,
) -> Result<ClusterConfig, LessonError> {
    let full = Method::Logical {
        image: RowImage::Full,
    };
    if settings.method != full {
        return Err(LessonError::at(
            "settings.method",
            "a multi-leader lesson replicates logical rows: write {\"logical\": {\"image\": \"full\"}}",
        ));
    }
    for (given, name) in [
        (settings.followers.is_some(), "followers"),
        (settings.spare.is_some(), "spare"),
        (settings.clients.is_some(), "clients"),
    ] {
        if given {
            return Err(LessonError::at(
                format!("settings.{name}"),
                "a multi-leader lesson has leaders and their clients only",
            ));
        }
    }
    let leaders = multi.leaders.unwrap_or(3);
    if !(2..=3).contains(&leaders) {
        return Err(LessonError::at(
            "settings.multi_leader.leaders",
            format!("{leaders} leaders: a multi-leader lesson has 2 or 3"),
        ));
    }
    let defaults = MultiLeaderConfig::default();
    let config = MultiLeaderConfig {
        topology: multi.topology.unwrap_or(defaults.topology),
        resolver: multi.resolver.unwrap_or(defaults.resolver),
        version_vectors: multi.version_vectors.unwrap_or(false),
        auto_increment_offsets: multi.auto_increment_offsets.unwrap_or(false),
        inter_dc_latency: multi
            .inter_dc_latency_ms
            .map_or(defaults.inter_dc_latency, Time::millis),
    };
    Ok(ClusterConfig::multi_leader(leaders, config))
}

/// The lab settings `settings` describe.
pub(super) fn build(settings: &Settings) -> Result<LabSettings, LessonError> {
    if let Some(multi) = &settings.multi_leader {
        let cluster = multi_leader_cluster(settings, multi)?;
        return finish(settings, cluster);
    }
    let followers = settings.followers.unwrap_or(2);
    let clients = settings.clients.unwrap_or(2);
    if followers > MAX_FOLLOWERS {
        return Err(LessonError::at(
            "settings.followers",
            format!("{followers} followers, more than {MAX_FOLLOWERS}"),
        ));
    }
    if !(1..=MAX_CLIENTS).contains(&clients) {
        return Err(LessonError::at(
            "settings.clients",
            format!("{clients} clients: a lesson has 1 to {MAX_CLIENTS}"),
        ));
    }
    let mut cluster = ClusterConfig::standard(settings.method, followers);
    cluster.clients = (1..=clients).map(|i| format!("client-{i}")).collect();
    if settings.spare.unwrap_or(true) {
        let mut spare = ServerSpec::new(&format!("follower-{}", followers + 1));
        spare.starts_streaming = false;
        cluster.servers.push(spare);
    }
    cluster.ack = settings.ack.clone();
    if let Some(fencing) = settings.fencing {
        cluster.failover.fencing = fencing;
    }
    if let Some(ms) = settings.failover_timeout_ms {
        cluster.failover.timeout = (ms > 0).then(|| Time::millis(ms));
    }
    finish(settings, cluster)
}

/// What every lesson's cluster takes from its settings: lock waits, schema, tables, and each
/// server's own setup.
fn finish(settings: &Settings, mut cluster: ClusterConfig) -> Result<LabSettings, LessonError> {
    if let Some(ms) = settings.lock_wait_timeout_ms {
        cluster.timings.innodb_lock_wait_timeout = Time::millis(ms);
    }
    if let Some(schema) = &settings.schema {
        cluster.schema = schema.clone();
    }
    if let Some(tables) = &settings.replicated_tables {
        cluster.replicated_tables = tables.clone();
    }
    for (i, setup) in settings.servers.iter().enumerate() {
        let path = format!("settings.servers[{i}]");
        let Some(spec) = cluster.servers.iter_mut().find(|s| s.name == setup.name) else {
            return Err(LessonError::at(
                format!("{path}.name"),
                format!("unknown server \"{}\"", super::clip(&setup.name)),
            ));
        };
        if let Some(format) = setup.format {
            spec.format = format;
        }
        if let Some(ms) = setup.clock_skew_ms {
            spec.clock_skew = ms
                .checked_mul(1_000)
                .ok_or_else(|| LessonError::at(format!("{path}.clock_skew_ms"), "too large"))?;
        }
        if let Some(schema) = &setup.schema {
            spec.schema = Some(schema.clone());
        }
    }
    Ok(LabSettings {
        seed: settings.seed,
        cluster,
    })
}

/// Settings that build `lab` (as far as a lesson can say; see [`build`]).
pub(super) fn from_lab(lab: &LabSettings) -> Settings {
    let config = &lab.cluster;
    let streaming = config
        .servers
        .iter()
        .skip(1)
        .filter(|s| s.starts_streaming)
        .count() as u32;
    let plain = ClusterConfig::standard(config.method, streaming);
    let servers = config
        .servers
        .iter()
        .filter_map(|s| {
            let plain = ServerSpec::new(&s.name);
            let setup = ServerSetup {
                name: s.name.clone(),
                format: (s.format != plain.format).then_some(s.format),
                clock_skew_ms: (s.clock_skew != 0).then_some(s.clock_skew / 1_000),
                schema: s.schema.clone(),
            };
            let changed =
                setup.format.is_some() || setup.clock_skew_ms.is_some() || setup.schema.is_some();
            changed.then_some(setup)
        })
        .collect();
    let multi = config.multi_leader.as_ref().map(|m| MultiLeaderSettings {
        leaders: Some(config.servers.len() as u32),
        topology: Some(m.topology),
        resolver: Some(m.resolver),
        version_vectors: Some(m.version_vectors),
        auto_increment_offsets: Some(m.auto_increment_offsets),
        inter_dc_latency_ms: Some(m.inter_dc_latency.as_millis()),
    });
    let single = multi.is_none();
    Settings {
        seed: lab.seed,
        method: config.method,
        ack: config.ack.clone(),
        followers: single.then_some(streaming),
        spare: single.then(|| config.servers.iter().skip(1).any(|s| !s.starts_streaming)),
        clients: single.then_some(config.clients.len() as u32),
        fencing: single.then_some(config.failover.fencing),
        failover_timeout_ms: (single && config.failover.timeout != plain.failover.timeout)
            .then(|| config.failover.timeout.map_or(0, Time::as_millis)),
        lock_wait_timeout_ms: (config.timings.innodb_lock_wait_timeout
            != plain.timings.innodb_lock_wait_timeout)
            .then(|| config.timings.innodb_lock_wait_timeout.as_millis()),
        schema: (config.schema != plain.schema).then(|| config.schema.clone()),
        replicated_tables: (config.replicated_tables != plain.replicated_tables)
            .then(|| config.replicated_tables.clone()),
        servers,
        multi_leader: multi,
    }
}

/// Every node's name in a cluster built from `config`.
pub(super) fn node_names(config: &ClusterConfig) -> Vec<String> {
    let directory = cluster::directory(config);
    let mut names: Vec<String> = config.servers.iter().map(|s| s.name.clone()).collect();
    names.extend(config.clients.iter().cloned());
    if directory.applier.is_some() {
        names.push("applier".into());
    }
    if directory.coordinator.is_some() {
        names.push("etcd".into());
    }
    names
}

/// The tables a lesson's SQL creates: its schema's and its scripted statements'.
pub(super) fn tables(config: &ClusterConfig, actions: &[Scripted]) -> Vec<String> {
    let mut sql: Vec<&str> = config.schema.iter().map(String::as_str).collect();
    for server in &config.servers {
        sql.extend(server.schema.iter().flatten().map(String::as_str));
    }
    for scripted in actions {
        if let ScriptAction::Sql { sql: text, .. } | ScriptAction::SqlOn { sql: text, .. } =
            &scripted.action
        {
            sql.push(text);
        }
    }
    let mut tables: Vec<String> = Vec::new();
    // Slony's changelog, which the triggers write inside the leader's database.
    if config.method == Method::Trigger {
        tables.push("sl_log_1".into());
    }
    for text in sql {
        let words: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || c == '(' || c == ';')
            .filter(|w| !w.is_empty())
            .collect();
        for pair in words.windows(3) {
            if pair[0].eq_ignore_ascii_case("create") && pair[1].eq_ignore_ascii_case("table") {
                let name = pair[2].trim_matches('`').trim_matches('"').to_string();
                if !tables.contains(&name) {
                    tables.push(name);
                }
            }
        }
    }
    tables
}

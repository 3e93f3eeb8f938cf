//! Prometheus metrics of the data plane, served as text at `/_portico/metrics`. Labels mirror
//! API Gateway's CloudWatch dimensions (ApiName→api id, Stage) plus the status, so `Count`,
//! `4XXError`, `5XXError`, `Latency` and `IntegrationLatency` all derive from these series.

use std::sync::OnceLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub api_id: String,
    pub stage: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StageLabels {
    pub api_id: String,
    pub stage: String,
}

/// A WebSocket stage's messages by direction (`in`: from clients, `out`: to them).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MessageLabels {
    pub api_id: String,
    pub stage: String,
    pub direction: &'static str,
}

type Hist = Family<StageLabels, Histogram, fn() -> Histogram>;

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Hist,
    integration_latency: Hist,
    cache_hits: Family<StageLabels, Counter>,
    cache_misses: Family<StageLabels, Counter>,
    ws_connections: Family<StageLabels, Gauge>,
    ws_connects: Family<StageLabels, Counter>,
    ws_messages: Family<MessageLabels, Counter>,
}

/// One stage's series, resolved once when the stage is compiled.
pub struct StageMetrics {
    labels: StageLabels,
    latency: Histogram,
    integration_latency: Histogram,
    requests: Family<RequestLabels, Counter>,
    /// Request counters by status (100–599), created on first use.
    by_status: Box<[OnceLock<Counter>]>,
}

impl StageMetrics {
    pub fn observe(&self, status: u16, latency: Duration, integration: Option<Duration>) {
        let counter = self
            .by_status
            .get(usize::from(status.saturating_sub(100)))
            .map(|cell| {
                cell.get_or_init(|| {
                    self.requests.get_or_create_owned(&RequestLabels {
                        api_id: self.labels.api_id.clone(),
                        stage: self.labels.stage.clone(),
                        status,
                    })
                })
            });
        if let Some(c) = counter {
            c.inc();
        }
        self.latency.observe(latency.as_secs_f64());
        if let Some(d) = integration {
            self.integration_latency.observe(d.as_secs_f64());
        }
    }
}

fn buckets() -> Histogram {
    // 100 µs to ~30 s (the integration timeout cap), doubling.
    Histogram::new((0..19).map(|i| 0.0001 * f64::from(1u32 << i)))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: Hist = Family::new_with_constructor(buckets);
        let integration_latency: Hist = Family::new_with_constructor(buckets);
        registry.register(
            "portico_requests",
            "Invocations of deployed APIs by status",
            requests.clone(),
        );
        registry.register(
            "portico_latency_seconds",
            "Time from receiving a request to returning the response head",
            latency.clone(),
        );
        registry.register(
            "portico_integration_latency_seconds",
            "Time spent waiting for the integration backend",
            integration_latency.clone(),
        );
        let cache_hits = Family::<StageLabels, Counter>::default();
        let cache_misses = Family::<StageLabels, Counter>::default();
        registry.register(
            "portico_cache_hits",
            "Requests answered from the stage cache (CloudWatch's CacheHitCount)",
            cache_hits.clone(),
        );
        registry.register(
            "portico_cache_misses",
            "Requests of cached methods sent to the integration (CloudWatch's CacheMissCount)",
            cache_misses.clone(),
        );
        let ws_connections = Family::<StageLabels, Gauge>::default();
        let ws_connects = Family::<StageLabels, Counter>::default();
        let ws_messages = Family::<MessageLabels, Counter>::default();
        registry.register(
            "portico_websocket_connections",
            "WebSocket connections open now (CloudWatch's ConnectCount is the counter below)",
            ws_connections.clone(),
        );
        registry.register(
            "portico_websocket_connects",
            "WebSocket connections accepted ($connect let through)",
            ws_connects.clone(),
        );
        registry.register(
            "portico_websocket_messages",
            "WebSocket messages, in from clients and out to them (route responses, @connections)",
            ws_messages.clone(),
        );
        Metrics {
            registry,
            ws_connections,
            ws_connects,
            ws_messages,
            requests,
            latency,
            integration_latency,
            cache_hits,
            cache_misses,
        }
    }

    pub fn observe(
        &self,
        api_id: &str,
        stage: &str,
        status: u16,
        latency: Duration,
        integration: Option<Duration>,
    ) {
        self.requests
            .get_or_create(&RequestLabels {
                api_id: api_id.to_string(),
                stage: stage.to_string(),
                status,
            })
            .inc();
        let sl = StageLabels {
            api_id: api_id.to_string(),
            stage: stage.to_string(),
        };
        self.latency
            .get_or_create(&sl)
            .observe(latency.as_secs_f64());
        if let Some(d) = integration {
            self.integration_latency
                .get_or_create(&sl)
                .observe(d.as_secs_f64());
        }
    }

    /// Handles for one stage, so an invocation records without building label sets.
    pub fn stage(&self, api_id: &str, stage: &str) -> StageMetrics {
        let labels = StageLabels {
            api_id: api_id.to_string(),
            stage: stage.to_string(),
        };
        StageMetrics {
            latency: self.latency.get_or_create_owned(&labels),
            integration_latency: self.integration_latency.get_or_create_owned(&labels),
            requests: self.requests.clone(),
            by_status: (100..600).map(|_| OnceLock::new()).collect(),
            labels,
        }
    }

    /// A stage cache's hit and miss counters (created with the cache, so stages without one
    /// export no cache series).
    pub fn cache_counters(&self, api_id: &str, stage: &str) -> (Counter, Counter) {
        let labels = StageLabels {
            api_id: api_id.to_string(),
            stage: stage.to_string(),
        };
        (
            self.cache_hits.get_or_create_owned(&labels),
            self.cache_misses.get_or_create_owned(&labels),
        )
    }

    /// A WebSocket stage's open-connections gauge and accepted-connections counter.
    pub fn ws_connections(&self, api_id: &str, stage: &str) -> (Gauge, Counter) {
        let labels = StageLabels {
            api_id: api_id.to_string(),
            stage: stage.to_string(),
        };
        (
            self.ws_connections.get_or_create_owned(&labels),
            self.ws_connects.get_or_create_owned(&labels),
        )
    }

    /// A WebSocket stage's message counter in one direction (`in`, `out`).
    pub fn ws_messages(&self, api_id: &str, stage: &str, direction: &'static str) -> Counter {
        self.ws_messages.get_or_create_owned(&MessageLabels {
            api_id: api_id.to_string(),
            stage: stage.to_string(),
            direction,
        })
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "cannot encode metrics");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_status() {
        let m = Metrics::new();
        m.observe("a1", "prod", 200, Duration::from_millis(2), None);
        m.observe(
            "a1",
            "prod",
            200,
            Duration::from_millis(3),
            Some(Duration::from_millis(1)),
        );
        m.stage("a1", "prod")
            .observe(200, Duration::from_millis(1), None);
        m.stage("a1", "prod")
            .observe(404, Duration::from_millis(1), None);
        let text = m.encode();
        assert!(
            text.contains(r#"portico_requests_total{api_id="a1",stage="prod",status="200"} 3"#),
            "{text}"
        );
        assert!(
            text.contains("portico_integration_latency_seconds_count"),
            "{text}"
        );
    }
}

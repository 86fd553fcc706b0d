//! ML metrics: GraphSAGE and RAG (seed: "ML Metrics", collector `MLMetricsCollector`).

use promdecl::{Counter, Gauge, Histogram, IntGauge, Metrics};

use super::buckets::{FAST_OPERATION, SLOW_OPERATION, TRAINING};

pub use ml_labels::Hit;

/// GraphSAGE anomaly-detection model and RAG retrieval/generation metrics.
///
/// The category table counts 7 GraphSAGE families but names and lists only 6; no seventh is
/// declared.
#[derive(Debug, Metrics)]
#[metrics(prefix = "x0tta6bl4")]
pub struct Ml {
    /// GraphSAGE inference duration in seconds
    #[metric(histogram, buckets = FAST_OPERATION, unit = "seconds")]
    pub graphsage_inference_duration_seconds: Histogram,

    /// Total GraphSAGE predictions, by prediction type
    #[metric(counter, labels = [prediction_type])]
    pub graphsage_predictions_total: Counter,

    /// Current GraphSAGE anomaly score per node
    #[metric(gauge, labels = [node_id])]
    pub graphsage_anomaly_score: Gauge,

    /// GraphSAGE model accuracy on the validation set
    #[metric(
        gauge,
        note = "accuracy as a fraction (the document's example sets 0.95); the name has no unit suffix in the document"
    )]
    pub graphsage_model_accuracy: Gauge,

    /// GraphSAGE training duration in seconds
    #[metric(histogram, buckets = TRAINING, unit = "seconds")]
    pub graphsage_training_duration_seconds: Histogram,

    /// Loss of the latest GraphSAGE training run
    #[metric(gauge)]
    pub graphsage_training_loss: Gauge,

    /// RAG retrieval duration in seconds
    #[metric(histogram, buckets = FAST_OPERATION, unit = "seconds")]
    pub rag_retrieval_duration_seconds: Histogram,

    /// Total RAG retrieval results, by query type and whether anything was found
    #[metric(
        counter,
        labels = [query_type, hit = [hit, miss]],
        note = "the document passes `hit=len(results) > 0` (a boolean); exposed as `hit`/`miss`, the strings the upstream collector writes, rather than `true`/`false`"
    )]
    pub rag_retrieval_results_total: Counter,

    /// Average vector similarity of RAG retrieval results
    #[metric(
        gauge,
        note = "type not given by the document; a gauge holding the latest average similarity, as upstream"
    )]
    pub rag_vector_similarity: Gauge,

    /// RAG index size in vectors
    #[metric(gauge)]
    pub rag_index_size_vectors: IntGauge,

    /// RAG generation duration in seconds
    #[metric(histogram, buckets = SLOW_OPERATION, unit = "seconds")]
    pub rag_generation_duration_seconds: Histogram,
}

impl Ml {
    /// Records one GraphSAGE inference: observes its duration and counts the prediction.
    pub fn record_graphsage_inference(&self, duration_seconds: f64, prediction_type: &str) {
        self.graphsage_inference_duration_seconds()
            .observe(duration_seconds);
        self.graphsage_predictions_total(prediction_type).inc();
    }

    /// Sets the anomaly score of one node.
    pub fn update_graphsage_anomaly_score(&self, node_id: &str, score: f64) {
        self.graphsage_anomaly_score(node_id).set(score);
    }

    /// Sets the model accuracy (a fraction, e.g. `0.95`).
    pub fn update_graphsage_accuracy(&self, accuracy: f64) {
        self.graphsage_model_accuracy().set(accuracy);
    }

    /// Records one training run: observes its duration and sets the resulting loss.
    pub fn record_graphsage_training(&self, duration_seconds: f64, loss: f64) {
        self.graphsage_training_duration_seconds()
            .observe(duration_seconds);
        self.graphsage_training_loss().set(loss);
    }

    /// Records one RAG retrieval: observes its duration and counts the result as a hit
    /// (`hit == true`, something was retrieved) or a miss.
    pub fn record_rag_retrieval(&self, duration_seconds: f64, query_type: &str, hit: bool) {
        self.rag_retrieval_duration_seconds()
            .observe(duration_seconds);
        let hit = if hit { Hit::Hit } else { Hit::Miss };
        self.rag_retrieval_results_total(query_type, hit).inc();
    }

    /// Sets the average vector similarity of the latest retrieval.
    pub fn update_rag_vector_similarity(&self, similarity: f64) {
        self.rag_vector_similarity().set(similarity);
    }

    /// Sets the RAG index size in vectors.
    pub fn update_rag_index_size(&self, vectors: i64) {
        self.rag_index_size_vectors().set(vectors);
    }

    /// Observes the duration of one RAG generation.
    pub fn record_rag_generation(&self, duration_seconds: f64) {
        self.rag_generation_duration_seconds()
            .observe(duration_seconds);
    }
}

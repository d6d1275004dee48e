/**
 * The times Tribuo records in model and data-source provenance, set by the caller ({@link
 * io.edgeloop.tribuo.provenance.TribuoTrainingTime}). See the types' javadoc for thread safety.
 */
package io.edgeloop.tribuo.provenance;

/**
 * Edgeloop API: provenance. See the types' javadoc for contracts and thread safety.
 */
package io.edgeloop.api.provenance;

/**
 * Edgeloop API: target. See the types' javadoc for contracts and thread safety.
 */
package io.edgeloop.api.target;

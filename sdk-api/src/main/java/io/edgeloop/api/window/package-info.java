/**
 * Edgeloop API: window. See the types' javadoc for contracts and thread safety.
 */
package io.edgeloop.api.window;

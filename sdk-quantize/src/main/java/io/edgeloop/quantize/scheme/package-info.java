/** Edgeloop quantize: scheme. See the types' javadoc for thread safety. */
package io.edgeloop.quantize.scheme;

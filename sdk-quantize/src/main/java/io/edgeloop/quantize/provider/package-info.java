/** Edgeloop quantize: provider. See the types' javadoc for thread safety. */
package io.edgeloop.quantize.provider;

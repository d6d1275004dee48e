/** Edgeloop quantize: runtime. See the types' javadoc for thread safety. */
package io.edgeloop.quantize.runtime;

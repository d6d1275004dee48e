/** Edgeloop quantize: workflow. See the types' javadoc for thread safety. */
package io.edgeloop.quantize.workflow;

/**
 * Float model intermediate representation: feature scaling, dense layers, heads, decision trees and ensembles.
 */
package io.edgeloop.quantize.ir;

/**
 * The option checks that layer constructors and functional ops share, under
 * the names this package has always exported them by; they live in
 * `@strata/tensor` (`checkOptionNames`, `describeValue`), the lowest package
 * that needs them.
 */
export { checkOptionNames, describeValue as describeOption } from '@strata/tensor';

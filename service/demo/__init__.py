"""The demonstration platform and synthetic data: demo institutions, people, instruments and a
year of history, and the scaled data sets of the benchmarks. Sits on top of every domain
package and is imported only by the command line, the benchmarks and the tests."""

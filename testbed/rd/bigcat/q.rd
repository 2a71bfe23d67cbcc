<?xml version="1.0" encoding="utf-8"?>
<!-- voagent testbed: a big narrow synthetic catalogue (bigcat.main) for
  streaming benchmarks.  DaCHS only creates the (empty) table here;
  testbed/setup.sh fills it with PostgreSQL COPY from testbed/gen -big,
  which is much faster than a DaCHS grammar for a million rows. -->
<resource schema="bigcat" resdir=".">
  <meta name="creationDate">2024-01-01T00:00:00Z</meta>
  <meta name="title">voagent testbed Big Narrow Catalogue</meta>
  <meta name="description">
    Synthetic point sources uniformly distributed over the whole sky
    (one million rows by default; id, position, one magnitude).  It exists
    to stream large TAP results in client benchmarks.
  </meta>
  <meta name="subject">catalogs</meta>
  <meta name="creator">voagent test suite</meta>
  <meta name="contentLevel">Research</meta>
  <meta name="type">Catalog</meta>

  <table id="main" onDisk="True" adql="True" primary="id">
    <meta name="description">Synthetic all-sky sources for
      streaming benchmarks.</meta>
    <column name="id" type="bigint" required="True"
      ucd="meta.id;meta.main" description="Running number, 1..N."/>
    <column name="ra" type="double precision" required="True" unit="deg"
      ucd="pos.eq.ra;meta.main" description="ICRS right ascension."/>
    <column name="dec" type="double precision" required="True" unit="deg"
      ucd="pos.eq.dec;meta.main" description="ICRS declination."/>
    <column name="mag" type="real" unit="mag" ucd="phot.mag"
      description="A magnitude."/>
  </table>

  <data id="import">
    <make table="main"/>
  </data>
</resource>

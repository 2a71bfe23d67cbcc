<?xml version="1.0" encoding="utf-8"?>
<!-- voagent testbed: an EPN-TAP 2.0 table (planets.epn_core) of synthetic
  solar-system granules; each granule is a tiny FITS file written by
  testbed/gen whose header carries the EPN-TAP values. -->
<resource schema="planets" resdir=".">
  <meta name="creationDate">2024-01-01T00:00:00Z</meta>
  <meta name="title">voagent testbed Planetary Granules (EPN-TAP)</meta>
  <meta name="description">
    Ten synthetic granules (images, spectra, a profile) of planets,
    satellites, a dwarf planet and a comet, published as an EPN-TAP 2.0
    epn_core table.  For VO client integration tests only.
  </meta>
  <meta name="subject">planetary-science</meta>
  <meta name="subject">solar-system-astronomy</meta>
  <meta name="creator">voagent test suite</meta>
  <meta name="contentLevel">Research</meta>
  <meta name="type">Archive</meta>
  <meta name="coverage.waveband">Optical</meta>

  <table id="epn_core" onDisk="True" adql="True">
    <publish sets="local,ivo_managed"/>
    <mixin
      spatial_frame_type="body"
      optional_columns="access_url access_format access_estsize
        thumbnail_url file_name publisher"
      >//epntap2#table-2_0</mixin>
    <mixin>//epntap2#localfile-2_0</mixin>
  </table>

  <data id="import">
    <sources pattern="data/*.fits"/>
    <fitsProdGrammar>
      <rowfilter procDef="//products#define">
        <bind key="table">"\schema.epn_core"</bind>
        <bind key="mime">"application/fits"</bind>
      </rowfilter>
    </fitsProdGrammar>
    <make table="epn_core">
      <rowmaker idmaps="*">
        <apply procDef="//epntap2#populate-2_0" name="fillepn">
          <bind key="granule_uid">@GRANUID</bind>
          <bind key="granule_gid">@TARGET.lower()</bind>
          <bind key="obs_id">@GRANUID</bind>
          <bind key="dataproduct_type">@DPTYPE</bind>
          <bind key="target_name">@TARGET</bind>
          <bind key="target_class">@TCLASS</bind>
          <bind key="time_min">float(@TMIN)</bind>
          <bind key="time_max">float(@TMAX)</bind>
          <bind key="time_scale">"UTC"</bind>
          <bind key="c1min">float(@C1MIN)</bind>
          <bind key="c1max">float(@C1MAX)</bind>
          <bind key="c2min">float(@C2MIN)</bind>
          <bind key="c2max">float(@C2MAX)</bind>
          <bind key="c3min">None if vars.get("C3MIN") is None else float(vars["C3MIN"])</bind>
          <bind key="c3max">None if vars.get("C3MAX") is None else float(vars["C3MAX"])</bind>
          <bind key="spectral_range_min">float(@SRMIN)</bind>
          <bind key="spectral_range_max">float(@SRMAX)</bind>
          <bind key="instrument_host_name">@INSTHOST</bind>
          <bind key="instrument_name">@INSTRUME</bind>
          <bind key="measurement_type">"phot.flux"</bind>
          <bind key="processing_level">int(@PROCLEV)</bind>
          <bind key="service_title">"voaplanets"</bind>
          <bind key="creation_date">"2024-01-01T00:00:00"</bind>
          <bind key="modification_date">"2024-01-01T00:00:00"</bind>
          <bind key="release_date">"2024-01-01T00:00:00"</bind>
        </apply>
        <apply procDef="//epntap2#populate-localfile-2_0"/>
        <map dest="publisher">"voagent test suite"</map>
      </rowmaker>
    </make>
  </data>
</resource>

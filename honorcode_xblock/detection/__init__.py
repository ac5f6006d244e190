"""
Finding multiple-account cheating (CAMEO: a "harvester" account reveals answers that a "master" account then submits
correctly) in the event data an Open edX site already has.

No Django is needed: the readers and the set-based SQL run on ClickHouse's engine, in-process through ``chdb`` (the
optional extra ``honorcode-xblock[detection]``) or on a ClickHouse server through ``clickhouse-connect``; the same SQL
runs on both (:mod:`.engines`). :mod:`.readers` reads the events where they are (tracking logs, or Aspects' xAPI
tables); :mod:`.cameo` holds the method and its thresholds; :mod:`.cli` is the ``honorcode-detect`` command.
"""

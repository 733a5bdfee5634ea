#!/bin/bash
# usage: cpu.tmp.sh <cmd...>; starts server, waits for URL on port 4001, drives load, prints cpu us per request
"$@" > /tmp/prof/srv.out 2>&1 &
PID=$!
sleep 3
T0=$(awk '{print $14+$15}' /proc/$PID/stat)
OUT=$(node bin/run-ts.cjs drive.tmp.ts http://127.0.0.1:4001 32 5 2>&1 | grep rps)
T1=$(awk '{print $14+$15}' /proc/$PID/stat)
REQS=$(echo "$OUT" | awk '{print $2*5}')
echo "$OUT cpu_ticks=$((T1-T0)) us_per_req=$(echo "($T1-$T0)*10000/$REQS" | bc -l | cut -c1-6)"
kill -TERM $PID; wait $PID

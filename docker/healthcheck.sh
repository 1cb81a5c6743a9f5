#!/bin/bash
# Docker health check of the appliance without curl: an HTTP/1.0 GET through bash's /dev/tcp.
#   healthcheck.sh /healthz                    path on the first http:// URL of $APPLIANCE_URLS (else $ASPNETCORE_URLS)
#   healthcheck.sh http://127.0.0.1:8080/healthz
# Exit 0 on a 200 answer, 1 otherwise. Plain http only: keep one http:// listener on loopback beside the https:// ones
# (serve refuses plain HTTP on other addresses).
set -u
target="${1:-/healthz}"
if [[ "$target" == /* ]]; then
  urls="${APPLIANCE_URLS:-${ASPNETCORE_URLS:-http://127.0.0.1:8080}}"
  base=""
  IFS=';' read -r -a listeners <<< "$urls"
  for url in "${listeners[@]}"; do
    url="${url#"${url%%[![:space:]]*}"}"
    if [[ "$url" == http://* ]]; then base="$url"; break; fi
  done
  if [[ -z "$base" ]]; then
    echo "healthcheck: no http:// URL in $urls (add http://127.0.0.1:8080)" >&2
    exit 1
  fi
  target="${base%/}${target}"
fi
if [[ "$target" != http://* ]]; then
  echo "healthcheck: only http:// URLs can be checked (got $target)" >&2
  exit 1
fi
rest="${target#http://}"
hostport="${rest%%/*}"
path="/"
[[ "$rest" == */* ]] && path="/${rest#*/}"
if [[ "$hostport" == \[*\]:* ]]; then
  host="${hostport%]:*}"; host="${host#[}"; port="${hostport##*]:}"
elif [[ "$hostport" == \[*\] ]]; then
  host="${hostport#[}"; host="${host%]}"; port=80
elif [[ "$hostport" == *:* ]]; then
  host="${hostport%:*}"; port="${hostport##*:}"
else
  host="$hostport"; port=80
fi
# Wildcard listen addresses are reached on loopback.
case "$host" in
  0.0.0.0|'*'|+|localhost|'') host=127.0.0.1 ;;
  ::) host=::1 ;;
esac
if ! exec 3<>"/dev/tcp/$host/$port"; then
  echo "healthcheck: cannot connect to $host:$port" >&2
  exit 1
fi
printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$hostport" >&3
if ! IFS= read -r -t 5 status <&3; then
  echo "healthcheck: no answer from $target" >&2
  exit 1
fi
status="${status%$'\r'}"
if [[ "$status" =~ ^HTTP/[0-9.]+\ 200([[:space:]]|$) ]]; then
  exit 0
fi
echo "healthcheck: $target answered '$status'" >&2
exit 1

# SPDX-License-Identifier: BSD-2-Clause
# scripts/netns.sh: the two network namespaces of scripts/bench-live and
# scripts/soak. Sourced (". ./scripts/netns.sh"), not run.
#
#   netns_up PREFIX  makes PREFIX-s-PID (sender: veth0, 192.0.2.1/24) and
#                    PREFIX-r-PID (receiver: veth1, 192.0.2.2/24) joined by a
#                    veth pair, PID being the calling shell's ($$), so the
#                    names are unique to the run; sets NS_S and NS_R. Fails
#                    (non-zero) if any step does; call netns_down anyway.
#   netns_down       removes both (safe before netns_up, or twice).
#
# Documentation addresses only; nothing is routed out of the namespaces.
NS_S=""
NS_R=""

netns_up() {
	NS_S=$1-s-$$
	NS_R=$1-r-$$
	ip netns add "$NS_S" && ip netns add "$NS_R" &&
		ip -n "$NS_S" link add veth0 type veth peer name veth1 netns "$NS_R" &&
		ip -n "$NS_S" link set veth0 up && ip -n "$NS_R" link set veth1 up &&
		ip -n "$NS_S" addr add 192.0.2.1/24 dev veth0 &&
		ip -n "$NS_R" addr add 192.0.2.2/24 dev veth1
}

netns_down() {
	[ -z "$NS_S" ] || ip netns del "$NS_S" 2>/dev/null
	[ -z "$NS_R" ] || ip netns del "$NS_R" 2>/dev/null
	NS_S=""
	NS_R=""
}

# Sourced by the side-by-side benchmarks (agent.sh, agent-services.sh, rootless.sh, snapshotters.sh): one copy of the
# timing helpers. Samples are nanoseconds; "nan" stands for a row that could not run and prints as "—".

# mark VAR: the wall clock in ns into VAR, from bash's own clock (no fork per sample).
mark() { local t=${EPOCHREALTIME/./}; printf -v "$1" '%s000' "$t"; }
# median < one number per line
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) exit 1; print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# ms NS: milliseconds with one decimal
ms() { [ "$1" = nan ] && echo "—" || awk -v ns="$1" 'BEGIN {printf "%.1f", ns/1e6}'; }
# ratio A B: A/B as "N.NN×"
ratio() { [ "$1" = nan ] && echo "—" || awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f×", a/b}'; }

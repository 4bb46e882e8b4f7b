# Ten one-process counts of the default selection, one after another, from the worktree /work/cal
set -e
cd /work/cal
for n in 01 02 03 04 05 06 07 08 09 10; do
  date -u +"r$n start %H:%M:%S" >> /work/exp/rep1/times.txt
  .venv/bin/python -m benchmarks run --measure instructions --count-processes 1 -o /work/exp/rep1/r$n > /work/exp/rep1/r$n.log 2>&1
  date -u +"r$n end %H:%M:%S" >> /work/exp/rep1/times.txt
  sleep 20
done
echo done > /work/exp/rep1/DONE

// JobControl: a paused job makes no progress until resumed; cancel wakes a paused job.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "util/job_control.h"

using namespace bitshift;
using namespace std::chrono_literals;

namespace {
// A job that counts its safe points until proceed() says stop.
struct CountingJob {
  JobControl control;
  std::atomic<int> steps{0};
  std::atomic<bool> ended{false};
  std::thread thread{[this] {
    while (control.proceed()) {
      ++steps;
      std::this_thread::sleep_for(1ms);
    }
    ended = true;
  }};
  ~CountingJob() {
    control.cancel();
    thread.join();
  }
};
}  // namespace

TEST(JobControl, PausedJobMakesNoProgressUntilResumed) {
  CountingJob job;
  std::this_thread::sleep_for(50ms);
  job.control.pause();
  EXPECT_TRUE(job.control.paused());
  std::this_thread::sleep_for(20ms);  // the step under way finishes
  const int held = job.steps;
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(job.steps, held);
  job.control.resume();
  std::this_thread::sleep_for(50ms);
  EXPECT_GT(job.steps, held);
  EXPECT_FALSE(job.ended);
}

TEST(JobControl, CancelWakesAPausedJobAndStopsIt) {
  CountingJob job;
  job.control.pause();
  std::this_thread::sleep_for(20ms);
  job.control.cancel();
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(job.ended);
  EXPECT_TRUE(job.control.cancelled());
  EXPECT_FALSE(job.control.paused());
}

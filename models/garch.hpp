#pragma once
// GARCH(1,1) conditional variance of step log-returns (MODEL.md section 2: sigma_t).
//
//   sigma2_t = omega + alpha * a_{t-1}^2 + beta * sigma2_{t-1}
//
// on the diffusive part a_t = sigma_t * eps_t of step t's log-return (drift, jumps and scheduled
// shocks excluded, so a crash that the scenario schedules does not also inflate the variance it
// was drawn with; the book's realised volatility still sees everything). Variances are per step,
// in (log-return)^2. With alpha + beta < 1 the variance reverts to omega / (1 - alpha - beta);
// alpha + beta is the persistence: the autocorrelation of squared returns decays as
// (alpha + beta)^k.
namespace cascade {

struct GarchParams {
  double omega = 0.0;  ///< per-step variance floor, (log-return)^2 per step, > 0
  double alpha = 0.0;  ///< reaction to the last squared innovation, >= 0
  double beta = 0.0;   ///< persistence of the last variance, >= 0; alpha + beta < 1

  double persistence() const noexcept { return alpha + beta; }
  /// omega / (1 - alpha - beta), per step.
  double long_run_variance() const noexcept { return omega / (1.0 - alpha - beta); }
  /// omega that makes `variance_per_step` the long-run variance.
  static double omega_for(double variance_per_step, double alpha, double beta) noexcept {
    return variance_per_step * (1.0 - alpha - beta);
  }
};

/// One asset's conditional variance, advanced once per step.
class Garch11 {
 public:
  Garch11() = default;
  Garch11(const GarchParams& p, double initial_variance) : p_(p), var_(initial_variance) {}

  double variance() const noexcept { return var_; }  ///< sigma_t^2 of the coming step
  /// After a step whose diffusive log-return was `a`: sigma2 <- omega + alpha*a^2 + beta*sigma2.
  void update(double a) noexcept { var_ = p_.omega + p_.alpha * a * a + p_.beta * var_; }

 private:
  GarchParams p_;
  double var_ = 0.0;
};

}  // namespace cascade

-- How many of a guard's evaluations had something to judge by (a number for a rule's signal or a probe's answer):
-- a window that ends with none did not show the revision healthy, and says so (status UNJUDGED).
ALTER TABLE deploy_guards ADD COLUMN judged_checks INT NOT NULL DEFAULT 0;

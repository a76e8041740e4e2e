-- Runs once, when the PostgreSQL volume is created (docker-compose and k8s): the tracker database
-- (POSTGRES_DB) exists already; the callback database is created here. No password in this file.
CREATE DATABASE lotse_callbacks OWNER lotse;
